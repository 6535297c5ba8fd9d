import type { DataSourceOptions } from 'typeorm';
import { STEWARD_ENTITIES } from './entities';
import { STEWARD_MIGRATIONS } from './migrations';

export interface DatabaseConnectionOptions {
  url: string;
  /** Connections per process. The embedded PostgreSQL serialises transactions anyway. */
  poolSize?: number;
  applicationName?: string;
  /** Log failed queries (default). Tests that provoke failures on purpose turn it off. */
  logErrors?: boolean;
  /** PostgreSQL's statement_timeout for every session: no query of this process runs forever. */
  statementTimeoutMs?: number;
}

/**
 * The one TypeORM configuration. `synchronize` stays off: the schema comes from migrations
 * only, and the migration test proves the entities match what the migrations build.
 */
export function stewardDataSourceOptions(options: DatabaseConnectionOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: STEWARD_ENTITIES,
    migrations: STEWARD_MIGRATIONS,
    migrationsTableName: 'steward_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: options.logErrors === false ? false : ['error'],
    applicationName: options.applicationName ?? 'steward',
    poolSize: options.poolSize ?? 10,
    extra: { connectionTimeoutMillis: 10_000, ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}) },
  };
}
