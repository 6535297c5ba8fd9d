import 'reflect-metadata';
import { ConfigurationError, loadConfig } from '@steward/config';
import { stewardDataSourceOptions } from '@steward/persistence';
import { DataSource } from 'typeorm';

/** Runs pending migrations against DATABASE_URL (compose's `migrate` service, deploys). */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigurationError(['DATABASE_URL must be set to run migrations']);
  const db = await new DataSource(stewardDataSourceOptions({ url: config.databaseUrl, applicationName: 'steward-migrate', poolSize: 1 })).initialize();
  try {
    const applied = await db.runMigrations({ transaction: 'each' });
    process.stdout.write(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigurationError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
