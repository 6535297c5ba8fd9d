import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * Plain INSERT of whole entity rows, in chunks. TypeORM's partial-entity type cannot describe
 * `jsonb` columns typed as `Record<string, unknown>`, so the one cast lives here.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: T[],
  options: { chunk?: number; ignoreConflicts?: boolean } = {},
): Promise<number> {
  let inserted = 0;
  const chunk = options.chunk ?? 500;
  for (let i = 0; i < rows.length; i += chunk) {
    const qb = manager.createQueryBuilder().insert().into(target).values(rows.slice(i, i + chunk) as QueryDeepPartialEntity<T>[]);
    // RETURNING makes the count exact: without it PostgreSQL returns no rows for a table with no generated columns.
    if (options.ignoreConflicts) qb.orIgnore().returning(manager.connection.getMetadata(target).primaryColumns.map((c) => `"${c.databaseName}"`).join(', '));
    const result = await qb.execute();
    inserted += Array.isArray(result.raw) ? result.raw.length : 0;
  }
  return inserted;
}

/** UPDATE by criteria, with the same one cast for `jsonb` columns. Returns the rows affected. */
export async function updateRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  criteria: Partial<T>,
  values: Partial<T>,
): Promise<number> {
  const result = await manager.update(target, criteria as never, values as QueryDeepPartialEntity<T>);
  return result.affected ?? 0;
}
