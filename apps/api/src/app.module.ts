import { DynamicModule, Module } from '@nestjs/common';
import { IdentityModule, type TokenVerifierOptions } from '@steward/identity';
import { stewardLoggerModule } from '@steward/observability';
import { PersistenceModule } from '@steward/persistence';
import { TemporalClientModule } from '@steward/temporal';
import type { CmdbSettings } from '@steward/config';
import { AuditModule } from './audit/audit.module';
import { ChangeModule } from './change/change.module';
import { CmdbModule } from './cmdb/cmdb.module';
import { HealthModule } from './health/health.module';

export interface ApiModuleOptions {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  auth: TokenVerifierOptions;
  logLevel?: string;
  cmdb?: CmdbSettings;
}

/** The HTTP API: one module per bounded context over shared persistence and Temporal. */
@Module({})
export class AppModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        stewardLoggerModule({ level: options.logLevel ?? 'info', service: 'api' }),
        PersistenceModule.forRoot({ url: options.databaseUrl, applicationName: 'steward-api' }),
        TemporalClientModule.forRoot(options.temporal),
        IdentityModule.forRoot(options.auth),
        HealthModule,
        ChangeModule,
        CmdbModule.forRoot(options.cmdb),
        AuditModule,
      ],
    };
  }
}
