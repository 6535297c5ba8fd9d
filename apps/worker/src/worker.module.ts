import type { DestinationStream } from 'pino';
import { DynamicModule, Module } from '@nestjs/common';
import { ActivitiesModule } from '@steward/activities';
import { DEFAULT_AUDIT_CHECKPOINTS, ProcessOptionsModule, type AuditCheckpointSettings, type ExecutorCredentials, type ProcessOptionsInput } from '@steward/config';
import { TemporalClientModule, type TemporalTlsSettings } from '@steward/temporal';
import { stewardLoggerModule } from '@steward/observability';
import { AuditPersistenceModule, DatabaseModule, NotificationPersistenceModule } from '@steward/persistence';
import { AesGcmPayloadCodec, AuditCheckpointKeys, SecurityModule, StewardKeys, parseDecisionVerifyKey, type PayloadCodecKey } from '@steward/security';
import type { KeyObject } from 'node:crypto';
import { AuditCheckpointSchedule, AuditCheckpointWriter } from './audit-checkpoint-writer.service';
import { StewardWorkerService, WorkerSettings } from './steward-worker.service';
import { NotificationDispatcher } from './notification-dispatcher.service';

export interface WorkerModuleOptions {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string; connection?: TemporalTlsSettings };
  /**
   * DECISION_VERIFY_KEY: the API's Ed25519 public key (base64 of 32 bytes, an SPKI PEM, or the
   * KeyObject). The worker verifies votes with it and never holds the private key.
   */
  decisionVerifyKey: string | KeyObject;
  /** WORKER_SECRET: the worker's own secret for implementation tokens and executor request signatures. */
  workerSecret: string;
  /** PAYLOAD_CODEC_KEYS: the first encrypts, all decrypt. Unset: payloads go to Temporal in clear (the bench's comparison only). */
  payloadCodecKeys?: PayloadCodecKey[];
  executorAllowedTargets?: string[];
  /** EXECUTOR_CREDENTIALS: only the worker holds them (plans name them). */
  executorCredentials?: ExecutorCredentials;
  workflowBundlePath?: string;
  logLevel?: string;
  /** Where log lines go (default standard output); tests read them from a stream. */
  logDestination?: DestinationStream;
  /** Incident and problem timings, notification channels (defaults from libs/config). */
  processes?: ProcessOptionsInput;
  /** AUDIT_SIGNING_KEY and how often the worker signs a checkpoint of the audit chain's head. */
  auditCheckpoints?: AuditCheckpointSettings;
}

/** The worker process: activities over the database and executors, and the Temporal worker that runs them. */
@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    const keys = new StewardKeys(options.workerSecret);
    const decisionVerifyKey = typeof options.decisionVerifyKey === 'string' ? parseDecisionVerifyKey(options.decisionVerifyKey) : options.decisionVerifyKey;
    if (decisionVerifyKey.type !== 'public') throw new Error('the worker takes the decision verify (public) key, never the signing key');
    const payloadCodec = options.payloadCodecKeys?.length ? new AesGcmPayloadCodec(options.payloadCodecKeys) : undefined;
    return {
      module: WorkerModule,
      imports: [
        stewardLoggerModule({ level: options.logLevel ?? 'info', service: 'worker', ...(options.logDestination ? { destination: options.logDestination } : {}) }),
        DatabaseModule.forRoot({ url: options.databaseUrl, applicationName: 'steward-worker' }),
        // The checkpoint writer and the webhook dispatcher; the activities import their own contexts.
        AuditPersistenceModule,
        NotificationPersistenceModule,
        SecurityModule.forWorker({ decisionVerifyKey, workerSecret: options.workerSecret }),
        // Activities open incidents and problems (signal-with-start) through the client.
        TemporalClientModule.forRoot({ ...options.temporal, payloadCodec }),
        ProcessOptionsModule.forRoot(options.processes),
        ActivitiesModule.forRoot({
          allowedTargets: options.executorAllowedTargets ?? [],
          signingKey: keys.key('executor-request').toString('hex'),
          credentials: options.executorCredentials,
        }),
      ],
      providers: [
        {
          provide: WorkerSettings,
          useValue: new WorkerSettings(
            options.temporal.address,
            options.temporal.namespace,
            options.temporal.taskQueue,
            options.workflowBundlePath,
            options.temporal.connection,
            payloadCodec,
          ),
        },
        StewardWorkerService,
        NotificationDispatcher,
        { provide: AuditCheckpointKeys, useValue: new AuditCheckpointKeys(options.auditCheckpoints ?? DEFAULT_AUDIT_CHECKPOINTS) },
        { provide: AuditCheckpointSchedule, useValue: new AuditCheckpointSchedule(options.auditCheckpoints ?? DEFAULT_AUDIT_CHECKPOINTS) },
        AuditCheckpointWriter,
      ],
    };
  }
}
