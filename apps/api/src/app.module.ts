import { DynamicModule, Module } from '@nestjs/common';
import { IdentityModule, type TokenVerifierOptions } from '@steward/identity';
import { stewardLoggerModule } from '@steward/observability';
import { PersistenceModule } from '@steward/persistence';
import { TemporalClientModule, type TemporalTlsSettings } from '@steward/temporal';
import { ProcessOptionsModule, type ChangeProcessConfig, type CmdbSettings, type ProcessOptionsInput } from '@steward/config';
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

export interface ApiModuleOptions {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string; connection?: TemporalTlsSettings };
  auth: TokenVerifierOptions;
  logLevel?: string;
  cmdb?: CmdbSettings;
  /** DECISION_SIGNING_KEY: the Ed25519 private key decisions are signed with (base64 seed, PKCS#8 PEM or KeyObject); the worker verifies with the public key. */
  decisionSigningKey: string | KeyObject;
  /** PAYLOAD_CODEC_KEYS: the first encrypts, all decrypt; also behind POST /codec/{encode,decode}. Unset: no encryption (the bench's comparison only). */
  payloadCodecKeys?: PayloadCodecKey[];
  /** TEMPORAL_UI_ORIGIN: the only origin the codec endpoint answers CORS requests from. */
  temporalUiOrigin?: string;
  changeProcess?: ChangeProcessConfig;
  /** Incident and problem timings, notification channels (defaults from libs/config). */
  processes?: ProcessOptionsInput;
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
        stewardLoggerModule({ level: options.logLevel ?? 'info', service: 'api' }),
        PersistenceModule.forRoot({ url: options.databaseUrl, applicationName: 'steward-api' }),
        TemporalClientModule.forRoot({ ...options.temporal, payloadCodec }),
        ProcessOptionsModule.forRoot(options.processes),
        IdentityModule.forRoot(options.auth),
        HealthModule,
        SecurityModule.forApi({ decisionSigningKey }),
        CodecModule.forRoot({ codec: payloadCodec, temporalUiOrigin: options.temporalUiOrigin }),
        ChangeModule.forRoot(options.changeProcess),
        CmdbModule.forRoot(options.cmdb),
        CalendarModule,
        AuditModule,
        ReportModule,
        NotificationModule,
        ProblemModule,
        KnowledgeModule,
        IncidentModule,
        AlertModule,
        SlaModule,
      ],
    };
  }
}
