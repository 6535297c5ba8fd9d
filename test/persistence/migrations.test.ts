import { STEWARD_MIGRATIONS, stewardDataSourceOptions } from '@steward/persistence';
import { DataSource } from 'typeorm';
import { createEmptyDatabase } from '../support/harness';

describe('migrations on an empty PostgreSQL database', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let db: DataSource;

  beforeAll(async () => {
    database = await createEmptyDatabase('migrations');
    db = await new DataSource(stewardDataSourceOptions({ url: database.url, poolSize: 2, logErrors: false })).initialize();
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('applies every migration in order', async () => {
    const applied = await db.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(STEWARD_MIGRATIONS.map((m) => m.name));
    await expect(db.showMigrations()).resolves.toBe(false);
  });

  it('builds exactly the schema the entities describe', async () => {
    const diff = await db.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('refuses what the domain forbids, in the database itself', async () => {
    await expect(
      db.query(`INSERT INTO configuration_item (key, name, type, environment, criticality, owner_group) VALUES ('x', 'x', 'service', 'production', 9, 'g')`),
    ).rejects.toThrow(/ck_configuration_item_criticality/);
    await expect(
      db.query(`INSERT INTO configuration_item (key, name, type, environment, criticality, owner_group) VALUES ('y', 'y', 'spaceship', 'production', 1, 'g')`),
    ).rejects.toThrow(/ck_configuration_item_type/);
  });

  it('reverts cleanly and applies again', async () => {
    for (let i = 0; i < STEWARD_MIGRATIONS.length; i += 1) await db.undoLastMigration({ transaction: 'each' });
    // TypeORM's own tables stay: the migration runner keeps generated-column expressions in typeorm_metadata.
    const tables = (await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('steward_migrations', 'typeorm_metadata')`)) as unknown[];
    expect(tables).toEqual([]);
    await db.runMigrations({ transaction: 'each' });
    expect((await db.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
