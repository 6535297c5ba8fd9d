import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS } from '@steward/identity';
import { AuditLog, applicationRoleProblems, migrateDatabase, seedDemoData, stewardDataSourceOptions } from '@steward/persistence';
import { randomBytes } from 'node:crypto';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { changeRequestBody } from '../support/fixtures';
import { createEmptyDatabase, eventually, startApi, startWorker, tokenFor, uniqueTaskQueue } from '../support/harness';
import { testEnv } from '../support/test-env';

/**
 * Someone holds the application's database credentials (a leaked DATABASE_URL, a shell on an
 * API container). The schema belongs to another role, so the audit log can be appended to and
 * read, never rewritten, deleted, truncated, or stripped of its refusing triggers.
 */
describe('Governance: an attacker with the application\'s database rights', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `steward_owner_${suffix}`;
  const app = `steward_app_${suffix}`;
  let database: { url: string; name: string; drop(): Promise<void> };
  let ownerUrl: string;
  let appUrl: string;
  let appDb: DataSource;
  let ownerDb: DataSource;
  let attacker: PgClient;

  const as = (url: string, user: string) => {
    const parsed = new URL(url);
    parsed.username = user;
    parsed.password = '';
    return parsed.toString();
  };

  beforeAll(async () => {
    database = await createEmptyDatabase('db_rights');
    // As the cluster's superuser, what deploy/postgres/init-steward-roles.sh does in compose.
    const admin = new PgClient({ connectionString: database.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    await admin.query(`CREATE ROLE ${app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT`);
    await admin.query(`ALTER DATABASE "${database.name}" OWNER TO ${owner}`);
    await admin.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await admin.end();
    ownerUrl = as(database.url, owner);
    appUrl = as(database.url, app);

    // The migration runner, as the owner, then the grants to the application role.
    const { applied } = await migrateDatabase({ url: ownerUrl, appRole: app });
    expect(applied.length).toBeGreaterThan(5);

    ownerDb = await new DataSource(stewardDataSourceOptions({ url: ownerUrl, applicationName: 'steward-test-owner', poolSize: 2 })).initialize();
    // Change numbers from a random offset, as createTestDatabase does: the Temporal server is shared.
    await ownerDb.query(`ALTER SEQUENCE change_request_number_seq RESTART WITH ${100_000 + randomBytes(3).readUIntBE(0, 3) * 50}`);
    appDb = await new DataSource(stewardDataSourceOptions({ url: appUrl, applicationName: 'steward-test-app', poolSize: 2, logErrors: false })).initialize();
    attacker = new PgClient({ connectionString: appUrl });
    await attacker.connect();
  });

  afterAll(async () => {
    await attacker?.end();
    if (appDb?.isInitialized) await appDb.destroy();
    if (ownerDb?.isInitialized) await ownerDb.destroy();
    await database?.drop();
    const admin = new PgClient({ connectionString: testEnv('postgresUrl') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${app}`);
    await admin.query(`DROP ROLE IF EXISTS ${owner}`);
    await admin.end();
  });

  const refusal = async (sql: string): Promise<{ code?: string; message: string }> => {
    const error = (await attacker.query(sql).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: string; message: string } | undefined;
    if (!error) throw new Error(`${sql} was not refused`);
    return error;
  };

  it('connects as a role that is no superuser and owns nothing', async () => {
    const [row] = (await attacker.query(`SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user`)).rows;
    expect(row).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
    const owned = (await attacker.query(`SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`)).rows[0];
    expect(owned.n).toBe(0);
    const audit = (await attacker.query(`SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event'`)).rows[0];
    expect(audit.tableowner).toBe(owner);
    expect(await applicationRoleProblems(appDb)).toEqual([]);
  });

  it('may append to the audit log and read it', async () => {
    await new AuditLog(appDb).record({ entity: 'security', entityId: 'db-rights', action: 'test.appended', actor: 'attacker' });
    const rows = (await attacker.query(`SELECT action FROM audit_event WHERE entity_id = 'db-rights'`)).rows;
    expect(rows).toEqual([{ action: 'test.appended' }]);
  });

  it('is refused UPDATE, DELETE and TRUNCATE of the audit log by privileges, not only by the trigger', async () => {
    for (const sql of [`UPDATE audit_event SET actor = 'nobody'`, `DELETE FROM audit_event`, `TRUNCATE audit_event`]) {
      const error = await refusal(sql);
      expect(error.code).toBe('42501'); // insufficient_privilege
      // The privilege check's message, not the trigger's "append-only": the trigger never ran.
      expect(error.message).toBe('permission denied for table audit_event');
    }
    for (const sql of [`UPDATE incident_event SET actor = 'nobody'`, `DELETE FROM incident_event`, `TRUNCATE incident_event`]) {
      expect((await refusal(sql)).message).toBe('permission denied for table incident_event');
    }
  });

  it('cannot switch the refusing triggers off, replace them, or drop the table', async () => {
    expect((await refusal(`ALTER TABLE audit_event DISABLE TRIGGER ALL`)).message).toBe('must be owner of table audit_event');
    expect((await refusal(`ALTER TABLE audit_event DISABLE TRIGGER trg_audit_event_no_update_delete`)).message).toBe('must be owner of table audit_event');
    expect((await refusal(`SET session_replication_role = replica`)).message).toMatch(/permission denied to set parameter "session_replication_role"/);
    // Refused before ownership is even asked: the role may not create in the schema at all.
    expect((await refusal(`CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`)).message).toMatch(
      /^(permission denied for schema public|must be owner of function audit_event_refuse_change)$/,
    );
    expect((await refusal(`DROP TABLE audit_event`)).message).toBe('must be owner of table audit_event');
    expect((await refusal(`ALTER TABLE audit_event OWNER TO ${app}`)).message).toBe('must be owner of table audit_event');
    expect((await refusal(`ALTER ROLE ${app} SUPERUSER`)).message).toMatch(/permission denied|must be superuser/);
    expect((await refusal(`CREATE TABLE audit_shadow (id int)`)).message).toBe('permission denied for schema public');
    // Nothing changed: the chain the application wrote is whole.
    expect(await new AuditLog(appDb).verify()).toMatchObject({ valid: true });
  });

  it('tells the owner and a superuser apart from an application role at start-up', async () => {
    expect(await applicationRoleProblems(ownerDb)).toEqual([expect.stringMatching(new RegExp(`^DATABASE_URL connects as ${owner}, the owner of the audit log`))]);
    const superuser = await new DataSource(stewardDataSourceOptions({ url: database.url, applicationName: 'steward-test-super', poolSize: 1 })).initialize();
    try {
      expect(await applicationRoleProblems(superuser)).toEqual([expect.stringMatching(/, a superuser: /)]);
    } finally {
      await superuser.destroy();
    }
  });

  describe('the application works as that role', () => {
    let worker: INestApplicationContext;
    let api: NestExpressApplication;
    const taskQueue = uniqueTaskQueue('db-rights');

    beforeAll(async () => {
      await seedDemoData(appDb);
      [worker, api] = await Promise.all([startWorker(appUrl, taskQueue), startApi(appUrl, taskQueue)]);
    });

    afterAll(async () => {
      await api?.close();
      await worker?.close();
    });

    it('records a change, its assessment and its audit entries', async () => {
      const http = api.getHttpServer() as App;
      const requester = { Authorization: `Bearer ${await tokenFor(DEMO_USERS.requester)}` };
      const auditor = { Authorization: `Bearer ${await tokenFor(DEMO_USERS.auditor)}` };
      const { body } = await request(http).post('/api/changes').set(requester).send(changeRequestBody()).expect(201);
      await eventually(
        async () => (await request(http).get(`/api/changes/${body.id}`).set(auditor).expect(200)).body.state as string,
        (state) => state === 'awaiting_approval',
      );
      const entries = (await attacker.query(`SELECT action FROM audit_event WHERE entity = 'change' AND entity_id = $1`, [body.id])).rows;
      expect(entries.length).toBeGreaterThan(1);
      const verify = (await request(http).get('/api/audit/verify').set(auditor).expect(200)).body;
      expect(verify).toMatchObject({ valid: true });
    });
  });
});
