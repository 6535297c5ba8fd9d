import type { DataSource } from 'typeorm';

/** The statements a DataSource sent to PostgreSQL while it was being watched. */
export interface QueryLog {
  statements: string[];
  stop(): void;
}

/**
 * Records every statement `db` runs (TypeORM hands each one to its logger before sending it,
 * whatever the logging option), until `stop()`. Only statements of that DataSource: another
 * process or connection pool is not counted.
 */
export function watchQueries(db: DataSource): QueryLog {
  const logger = db.logger;
  const original = logger.logQuery;
  const statements: string[] = [];
  logger.logQuery = function (query, parameters, queryRunner) {
    statements.push(query);
    return original.call(this, query, parameters, queryRunner);
  };
  return { statements, stop: () => void (logger.logQuery = original) };
}
