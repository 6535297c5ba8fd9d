import type { DestinationStream } from 'pino';
import { DynamicModule, Module } from '@nestjs/common';
import { IdentityModule, type TokenVerifierOptions } from '@steward/identity';
import { stewardLoggerModule } from '@steward/observability';
import type { ChangeProcessSettings, SodImplementerMode } from '@steward/domain';
import { AuditPersistenceModule, DatabaseModule } from '@steward/persistence';
import { TemporalClientModule, type TemporalTlsSettings } from '@steward/temporal';
import {
  ProcessOptionsModule,
  type AbuseSettings,
  type AuditCheckpointSettings,
  type CmdbSettings,
  type ProcessOptionsInput,
  type WebSecuritySettings,
} from '@steward/config';
import { AesGcmPayloadCodec, SecurityModule, parseDecisionSigningKey, type PayloadCodecKey } from '@steward/security';
import type { KeyObject } from 'node:crypto';
import { CodecModule } from './codec/codec.module';
import { AlertModule } from './alert/alert.module';
import { AuditModule } from './audit/audit.module';
import { CalendarModule } from './calendar/calendar.module';
import { ChangeModule } from './change/change.module';
import { CmdbModule } from './cmdb/cmdb.module';
import { HealthModule } from './health/health.module';
import { ReportModule } from './report/report.module';
import { NotificationModule } from './notification/notification.module';
import { ProblemModule } from './problem/problem.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { IncidentModule } from './incident/incident.module';
import { SlaModule } from './sla/sla.module';
import { routeAccess } from './access-policy';
import { DatabaseApiKeyAuthenticator } from './identity/api-key-authenticator.service';
import { ServiceAccountModule } from './identity/service-account.module';
import { DemoSignInModule } from './identity/demo-sign-in.controller';

export interface ApiModuleOptions {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string; connection?: TemporalTlsSettings };
  auth: TokenVerifierOptions;
  logLevel?: string;
  /** Where log lines go (default standard output); tests read them from a stream. */
  logDestination?: DestinationStream;
  cmdb?: CmdbSettings;
  /** DECISION_SIGNING_KEY: the Ed25519 private key decisions are signed with (base64 seed, PKCS#8 PEM or KeyObject); the worker verifies with the public key. */
  decisionSigningKey: string | KeyObject;
  /** PAYLOAD_CODEC_KEYS: the first encrypts, all decrypt; also behind POST /codec/{encode,decode}. Unset: no encryption (the bench's comparison only). */
  payloadCodecKeys?: PayloadCodecKey[];
  /** TEMPORAL_UI_ORIGIN: the only origin the codec endpoint answers CORS requests from. */
  temporalUiOrigin?: string;
  changeProcess?: ChangeProcessSettings;
  /** Incident and problem timings, notification channels (defaults from libs/config). */
  processes?: ProcessOptionsInput;
  /** Rate limits and event-stream caps (used by configureApp; defaults in libs/config). */
  abuse?: AbuseSettings;
  /** CORS, HSTS and trusted proxies (used by configureApp; default: closed). */
  web?: WebSecuritySettings;
  /** AUDIT_SIGNING_KEY and trusted public keys for signed audit checkpoints. */
  auditCheckpoints?: Pick<AuditCheckpointSettings, 'signingKey' | 'trustedPublicKeys'>;
  /** SOD_IMPLEMENTER, recorded on each change at submission (default `distinct`). */
  sodImplementer?: SodImplementerMode;
  /**
   * Only the embedded launcher (`npm start` without an OIDC issuer) sets this: the console's
   * sign-in picker mints demo tokens with this secret. Unset, the routes do not exist (404).
   */
  demoSignIn?: { jwtSecret: string };
  /** The built console (index.html and assets/) served at `/`; unset or missing: no console. */
  consoleRoot?: string;
}

/** The HTTP API: one module per bounded context over shared persistence and Temporal. */
@Module({})
export class AppModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    const decisionSigningKey = typeof options.decisionSigningKey === 'string' ? parseDecisionSigningKey(options.decisionSigningKey) : options.decisionSigningKey;
    const payloadCodec = options.payloadCodecKeys?.length ? new AesGcmPayloadCodec(options.payloadCodecKeys) : undefined;
    return {
      module: AppModule,
      imports: [
        stewardLoggerModule({ level: options.logLevel ?? 'info', service: 'api', ...(options.logDestination ? { destination: options.logDestination } : {}) }),
        // A request has REQUEST_DEADLINE_MS; no query of the API may outlast it.
        DatabaseModule.forRoot({ url: options.databaseUrl, applicationName: 'steward-api', statementTimeoutMs: 20_000 }),
        TemporalClientModule.forRoot({ ...options.temporal, payloadCodec }),
        ProcessOptionsModule.forRoot(options.processes),
        // The API-key authenticator audits every use of a key.
        IdentityModule.forRoot(options.auth, { routePolicy: { lookup: routeAccess }, apiKeys: DatabaseApiKeyAuthenticator, imports: [AuditPersistenceModule] }),
        ServiceAccountModule,
        HealthModule,
        SecurityModule.forApi({ decisionSigningKey }),
        CodecModule.forRoot({ codec: payloadCodec, temporalUiOrigin: options.temporalUiOrigin }),
        ChangeModule.forRoot(options.changeProcess, options.sodImplementer),
        CmdbModule.forRoot(options.cmdb),
        CalendarModule,
        AuditModule.forRoot(options.auditCheckpoints),
        ReportModule,
        NotificationModule,
        ProblemModule,
        KnowledgeModule,
        IncidentModule,
        AlertModule,
        SlaModule,
        ...(options.demoSignIn ? [DemoSignInModule.forRoot(options.demoSignIn.jwtSecret)] : []),
      ],
    };
  }
}
