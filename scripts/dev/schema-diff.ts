import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { STEWARD_ENTITIES, STEWARD_MIGRATIONS } from '../../libs/persistence/src';
import { startEmbeddedPostgres } from '../../libs/persistence/src/embedded/embedded-postgres';

/** Developer aid: the SQL TypeORM would still run after all migrations (write a migration for it). */
async function main(): Promise<void> {
  const pg = await startEmbeddedPostgres();
  try {
    const db = await new DataSource({ type: 'postgres', url: pg.url, entities: STEWARD_ENTITIES, migrations: STEWARD_MIGRATIONS, migrationsTableName: 'steward_migrations' }).initialize();
    await db.runMigrations();
    for (const q of (await db.driver.createSchemaBuilder().log()).upQueries) process.stdout.write(`${q.query};\n`);
    await db.destroy();
  } finally {
    await pg.stop();
  }
}
void main();
