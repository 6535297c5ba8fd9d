import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { stewardDataSourceOptions } from './data-source-options';

/**
 * The one DataSource of a process over the configured PostgreSQL (every entity, migrations),
 * shared by all bounded contexts. Each context's repositories and record services come from its
 * own module (`ChangePersistenceModule`, `IncidentPersistenceModule`, ...), imported where used.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: { url: string; applicationName: string; poolSize?: number; statementTimeoutMs?: number }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...stewardDataSourceOptions(options), retryAttempts: 3, retryDelay: 1000 })],
    };
  }
}
