import 'reflect-metadata';
import { ConfigurationError, loadConfig } from '@steward/config';
import { migrateDatabase } from '@steward/persistence';

/**
 * Runs pending migrations as the schema owner (DATABASE_MIGRATION_URL, default DATABASE_URL),
 * then, with DATABASE_APP_ROLE, grants the application role its rights on every table as the
 * schema now stands (compose's `migrate` service, deploys). The grants run on every run, not
 * in one migration, because every later migration adds tables.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const url = config.databaseMigrationUrl;
  if (!url) throw new ConfigurationError(['DATABASE_MIGRATION_URL or DATABASE_URL must be set to run migrations']);
  const { applied } = await migrateDatabase({ url, appRole: config.databaseAppRole });
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  if (config.databaseAppRole) process.stdout.write(`granted ${config.databaseAppRole} its rights (append-only: SELECT and INSERT)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigurationError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
