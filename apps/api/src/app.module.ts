import type { DestinationStream } from 'pino';
import { DynamicModule, Module } from '@nestjs/common';
import { IdentityModule, type TokenVerifierOptions } from '@steward/identity';
import { stewardLoggerModule } from '@steward/observability';
import { PersistenceModule } from '@steward/persistence';
import { TemporalClientModule } from '@steward/temporal';
import {
  ProcessOptionsModule,
  type AbuseSettings,
  type AuditCheckpointSettings,
  type ChangeProcessConfig,
  type CmdbSettings,
  type ProcessOptionsInput,
  type WebSecuritySettings,
} from '@steward/config';
import { SecurityModule } from '@steward/security';
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

export interface ApiModuleOptions {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  auth: TokenVerifierOptions;
  logLevel?: string;
  /** Where log lines go (default standard output); tests read them from a stream. */
  logDestination?: DestinationStream;
  cmdb?: CmdbSettings;
  /** DECISION_SIGNING_KEY: decisions are signed with it; the worker verifies them. */
  signingSecret: string;
  changeProcess?: ChangeProcessConfig;
  /** Incident and problem timings, notification channels (defaults from libs/config). */
  processes?: ProcessOptionsInput;
  /** Rate limits and event-stream caps (used by configureApp; defaults in libs/config). */
  abuse?: AbuseSettings;
  /** CORS, HSTS and trusted proxies (used by configureApp; default: closed). */
  web?: WebSecuritySettings;
  /** AUDIT_SIGNING_KEY and trusted public keys for signed audit checkpoints. */
  auditCheckpoints?: Pick<AuditCheckpointSettings, 'signingKey' | 'trustedPublicKeys'>;
  /** SOD_IMPLEMENTER, recorded on each change at submission (default `distinct`). */
  sodImplementer?: 'distinct' | 'any';
}

/** The HTTP API: one module per bounded context over shared persistence and Temporal. */
@Module({})
export class AppModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        stewardLoggerModule({ level: options.logLevel ?? 'info', service: 'api', ...(options.logDestination ? { destination: options.logDestination } : {}) }),
        // A request has REQUEST_DEADLINE_MS; no query of the API may outlast it.
        PersistenceModule.forRoot({ url: options.databaseUrl, applicationName: 'steward-api', statementTimeoutMs: 20_000 }),
        TemporalClientModule.forRoot(options.temporal),
        ProcessOptionsModule.forRoot(options.processes),
        IdentityModule.forRoot(options.auth, { routePolicy: { lookup: routeAccess }, apiKeys: DatabaseApiKeyAuthenticator }),
        ServiceAccountModule,
        HealthModule,
        SecurityModule.forRoot(options.signingSecret),
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
      ],
    };
  }
}
