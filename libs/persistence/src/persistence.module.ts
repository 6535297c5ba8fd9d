import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from './audit/audit-log.service';
import { ChangeReadModel } from './change/change-read-model.service';
import { ImpactAnalysisService } from './cmdb/impact-analysis.service';
import { stewardDataSourceOptions } from './data-source-options';
import { STEWARD_ENTITIES } from './entities';

/** TypeORM over the configured PostgreSQL, and the read-model services both processes use. */
@Module({})
export class PersistenceModule {
  static forRoot(options: { url: string; applicationName: string; poolSize?: number }): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({ ...stewardDataSourceOptions(options), retryAttempts: 3, retryDelay: 1000 }),
        TypeOrmModule.forFeature(STEWARD_ENTITIES),
      ],
      providers: [ChangeReadModel, AuditLog, ImpactAnalysisService],
      exports: [TypeOrmModule, ChangeReadModel, AuditLog, ImpactAnalysisService],
    };
  }
}
