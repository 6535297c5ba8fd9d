import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Principal } from '@steward/identity';
import { ChangeRequestEntity, DiscoveryFindingEntity } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { insertChange } from '../support/fixtures';
import { createTestDatabase, startApi, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';

const admin: Principal = { id: 'grace', name: 'Grace', roles: ['admin'], groups: [] };
const dba: Principal = { id: 'dan', name: 'Dan DBA', roles: ['requester'], groups: ['dba'] };
const auditor: Principal = { id: 'frank', name: 'Frank', roles: ['auditor'], groups: [] };
const manager: Principal = { id: 'dave', name: 'Dave', roles: ['change_manager'], groups: [] };

/** The CMDB over HTTP on a real PostgreSQL: register, relate, analyse impact, reconcile discovery, audit. */
describe('CMDB over HTTP', () => {
  let database: TestDatabase;
  let api: NestExpressApplication;
  let http: App;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase('cmdb_e2e');
    api = await startApi(database.url, uniqueTaskQueue('cmdb-e2e'));
    http = api.getHttpServer() as App;
    for (const p of [admin, dba, auditor, manager]) tokens.set(p.id, await tokenFor(p));
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const as = (p: Principal) => ({ Authorization: `Bearer ${tokens.get(p.id)}` });
  const ci = (key: string, over: Record<string, unknown> = {}) => ({
    key,
    name: key,
    type: 'application',
    environment: 'production',
    criticality: 2,
    ownerGroup: 'platform',
    usersAffected: 0,
    ...over,
  });
  const create = (body: Record<string, unknown>, by: Principal = admin) => request(http).post('/api/cis').set(as(by)).send(body);
  const relate = (source: string, type: string, target: string) =>
    request(http).post(`/api/cis/${source}/relationships`).set(as(admin)).send({ type, target }).expect(201);

  describe('configuration items', () => {
    it('registers a CI and reads it back', async () => {
      const created = await create(ci('app-orders', { version: '1.0.0', tags: ['pci'], attributes: { replicas: 2 } })).expect(201);
      expect(created.body).toMatchObject({ key: 'app-orders', status: 'active', version: '1.0.0', tags: ['pci'], attributes: { replicas: 2 }, stale: false });
      const read = await request(http).get('/api/cis/app-orders').set(as(auditor)).expect(200);
      expect(read.body).toEqual(created.body);
    });

    it('refuses a duplicate key with 400 naming key, and changes nothing', async () => {
      await create(ci('app-dup', { name: 'first' })).expect(201);
      const again = await create(ci('app-dup', { name: 'second' })).expect(400);
      expect(again.body.message).toBe('key: configuration item app-dup already exists');
      expect((await request(http).get('/api/cis/app-dup').set(as(auditor))).body.name).toBe('first');
    });

    it('names every invalid field', async () => {
      const response = await create({ key: 'has spaces', name: '', type: 'spaceship', environment: 'moon', criticality: 9, ownerGroup: '' }).expect(400);
      const fields = response.body.details.map((d: { field: string }) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['key', 'name', 'type', 'environment', 'criticality', 'ownerGroup']));
    });

    it('lets an owner group register its own CIs only', async () => {
      await create(ci('db-orders', { type: 'database', ownerGroup: 'dba' }), dba).expect(201);
      const refused = await create(ci('db-other', { ownerGroup: 'platform' }), dba).expect(403);
      expect(refused.body.message).toBe('requires the role admin or change_manager, or membership of the owner group platform');
      await create(ci('db-audit', { ownerGroup: 'dba' }), auditor).expect(403);
    });

    it('updates a CI and audits before and after', async () => {
      await create(ci('app-upd', { ownerGroup: 'dba', version: '1.0' })).expect(201);
      const updated = await request(http).patch('/api/cis/app-upd').set(as(dba)).send({ version: '1.1', criticality: 1 }).expect(200);
      expect(updated.body).toMatchObject({ version: '1.1', criticality: 1 });
      const events = (await request(http).get('/api/audit').query({ entity: 'ci', id: 'app-upd' }).set(as(auditor)).expect(200)).body;
      expect(events.map((e: { action: string }) => e.action)).toEqual(['ci.created', 'ci.updated']);
      expect(events[1]).toMatchObject({ actor: 'dan', data: { before: { version: '1.0', criticality: 2 }, after: { version: '1.1', criticality: 1 } } });
      await request(http).patch('/api/cis/app-upd').set(as(dba)).send({ ownerGroup: 'platform' }).expect(403);
      await request(http).patch('/api/cis/app-upd').set(as(dba)).send({}).expect(400);
    });

    it('lists with filters', async () => {
      await create(ci('net-core', { type: 'network', environment: 'staging', tags: ['core'] })).expect(201);
      const byType = (await request(http).get('/api/cis').query({ type: 'network' }).set(as(auditor)).expect(200)).body;
      expect(byType.items.map((c: { key: string }) => c.key)).toEqual(['net-core']);
      const byTag = (await request(http).get('/api/cis').query({ tag: 'core', environment: 'staging' }).set(as(auditor)).expect(200)).body;
      expect(byTag.total).toBe(1);
      await request(http).get('/api/cis').query({ type: 'toaster' }).set(as(auditor)).expect(400);
    });

    it('answers 404 for unknown and impossible keys', async () => {
      await request(http).get('/api/cis/nope-404').set(as(auditor)).expect(404);
      await request(http).get('/api/cis/%20bad').set(as(auditor)).expect(404);
    });
  });

  describe('relationships and impact', () => {
    beforeAll(async () => {
      for (const [key, type, users] of [
        ['svc-shop', 'service', 5000],
        ['svc-reports', 'service', 40],
        ['app-shop', 'application', 0],
        ['db-shop', 'database', 0],
        ['host-shop', 'host', 0],
        ['cmp-cache', 'other', 0],
      ] as const) {
        await create(ci(key, { type, usersAffected: users, criticality: type === 'service' ? 1 : 3 })).expect(201);
      }
      await relate('svc-shop', 'depends_on', 'app-shop');
      await relate('app-shop', 'depends_on', 'db-shop');
      await relate('app-shop', 'runs_on', 'host-shop');
      await relate('svc-reports', 'depends_on', 'db-shop');
      await relate('cmp-cache', 'part_of', 'svc-reports');
      // A cycle: the data may have them, the traversal must still end.
      await relate('db-shop', 'depends_on', 'svc-reports');
    });

    it('walks dependents transitively with their nearest distance and summed users', async () => {
      const impact = (await request(http).get('/api/cis/db-shop/impact').set(as(auditor)).expect(200)).body;
      expect(impact.ci.key).toBe('db-shop');
      // Nearest first, then the most critical; the cycle back to db-shop never lists the CI itself.
      expect(impact.impacted.map((c: { key: string; distance: number }) => [c.key, c.distance])).toEqual([
        ['svc-reports', 1],
        ['app-shop', 1],
        ['svc-shop', 2],
      ]);
      expect(impact.usersAffected).toBe(5040);
      expect(impact.truncated).toBe(false);
    });

    it('follows runs_on from the host and part_of from the part to the whole', async () => {
      const host = (await request(http).get('/api/cis/host-shop/impact').set(as(auditor)).expect(200)).body;
      expect(host.impacted.map((c: { key: string }) => c.key)).toEqual(['app-shop', 'svc-shop']);
      const part = (await request(http).get('/api/cis/cmp-cache/impact').set(as(auditor)).expect(200)).body;
      // The whole (svc-reports), then round the cycle: db-shop depends on svc-reports.
      expect(part.impacted.map((c: { key: string; distance: number }) => [c.key, c.distance])).toEqual([
        ['svc-reports', 1],
        ['db-shop', 2],
        ['app-shop', 3],
        ['svc-shop', 4],
      ]);
    });

    it('says when the walk was cut at maxDepth', async () => {
      const cut = (await request(http).get('/api/cis/host-shop/impact').query({ maxDepth: 1 }).set(as(auditor)).expect(200)).body;
      expect(cut.impacted.map((c: { key: string }) => c.key)).toEqual(['app-shop']);
      expect(cut.truncated).toBe(true);
    });

    it('refuses a relationship to itself, to an unknown CI, and a duplicate', async () => {
      const self = await request(http).post('/api/cis/app-shop/relationships').set(as(admin)).send({ type: 'depends_on', target: 'app-shop' }).expect(400);
      expect(self.body.message).toBe('target: a configuration item cannot relate to itself');
      const unknown = await request(http).post('/api/cis/app-shop/relationships').set(as(admin)).send({ type: 'depends_on', target: 'ghost' }).expect(400);
      expect(unknown.body.message).toBe('target: configuration item ghost not found');
      await request(http).post('/api/cis/app-shop/relationships').set(as(admin)).send({ type: 'depends_on', target: 'db-shop' }).expect(409);
      await request(http).post('/api/cis/app-shop/relationships').set(as(admin)).send({ type: 'loves', target: 'db-shop' }).expect(400);
    });

    it('lists and removes relationships, auditing both ways', async () => {
      const both = (await request(http).get('/api/cis/app-shop/relationships').set(as(auditor)).expect(200)).body;
      expect(both.outgoing.map((r: { target: string }) => r.target)).toEqual(['db-shop', 'host-shop']);
      expect(both.incoming.map((r: { source: string }) => r.source)).toEqual(['svc-shop']);
      await request(http).delete(`/api/cis/app-shop/relationships/${both.outgoing[1].id}`).set(as(admin)).expect(204);
      const host = (await request(http).get('/api/cis/host-shop/impact').set(as(auditor)).expect(200)).body;
      expect(host.impacted).toEqual([]);
      const actions = (await request(http).get('/api/audit').query({ entity: 'ci', id: 'app-shop' }).set(as(auditor))).body.map((e: { action: string }) => e.action);
      expect(actions).toEqual(['ci.created', 'ci.relationship_added', 'ci.relationship_added', 'ci.relationship_removed']);
    });
  });

  describe('discovery reconciliation', () => {
    beforeAll(async () => {
      await create(ci('app-disc', { version: '2.0.0', attributes: { replicas: 3 } })).expect(201);
      await create(ci('app-auth', { version: '5.1.0' })).expect(201);
      await create(ci('app-still', { version: '1.0.0' })).expect(201);
      // A completed change that promised app-auth 5.2.0.
      const change = await insertChange(database.db);
      await database.db.getRepository(ChangeRequestEntity).update(
        { id: change.changeId },
        {
          ciKeys: ['app-auth'],
          state: 'completed',
          completedAt: new Date(Date.now() - 3_600_000),
          plan: { steps: [], ciUpdates: [{ ci: 'app-auth', version: '5.2.0' }] },
        },
      );
    });

    const snapshot = {
      source: 'scanner-eu',
      items: [
        { key: 'app-still', version: '1.0.0' },
        { key: 'app-disc', version: '2.0.1', attributes: { replicas: 3 } },
        { key: 'app-auth', version: '5.2.0' },
        { key: 'app-rogue', version: '0.0.1' },
      ],
    };

    it('matches, explains and flags drift, and records unauthorized changes', async () => {
      const result = (await request(http).post('/api/cmdb/discovery').set(as(manager)).send(snapshot).expect(200)).body;
      expect(result.matched).toBe(1);
      expect(result.drifted).toEqual([
        { key: 'app-disc', field: 'version', recorded: '2.0.0', discovered: '2.0.1' },
        { key: 'app-auth', field: 'version', recorded: '5.1.0', discovered: '5.2.0', explainedBy: expect.stringMatching(/^CHG-/) },
      ]);
      expect(result.unauthorized.map((u: { key: string; field: string }) => [u.key, u.field])).toEqual([
        ['app-disc', 'version'],
        ['app-rogue', 'ci'],
      ]);
      expect(result.unauthorized.every((u: { findingId: string }) => /^\d+$/.test(u.findingId))).toBe(true);

      // Explained drift updates the CMDB; unauthorized drift does not.
      expect((await request(http).get('/api/cis/app-auth').set(as(auditor))).body.version).toBe('5.2.0');
      expect((await request(http).get('/api/cis/app-disc').set(as(auditor))).body.version).toBe('2.0.0');
      expect((await request(http).get('/api/cis/app-disc').set(as(auditor))).body.lastDiscoveredAt).not.toBeNull();
    });

    it('reports a repeated snapshot again without storing its findings twice', async () => {
      const again = (await request(http).post('/api/cmdb/discovery').set(as(manager)).send(snapshot).expect(200)).body;
      expect(again.unauthorized).toHaveLength(2);
      expect(await database.db.getRepository(DiscoveryFindingEntity).countBy({ ciKey: 'app-disc' })).toBe(1);
      const audited = (await request(http).get('/api/audit').query({ entity: 'ci', id: 'app-disc' }).set(as(auditor))).body;
      expect(audited.filter((e: { action: string }) => e.action === 'discovery.unauthorized_change')).toHaveLength(1);
    });

    it('flags CIs discovery has not seen for the stale period', async () => {
      await database.db.query(`UPDATE configuration_item SET created_at = now() - interval '30 days' WHERE key IN ('app-orders', 'app-still')`);
      const stale = (await request(http).get('/api/cis').query({ stale: 'true', limit: 1000 }).set(as(auditor)).expect(200)).body;
      const keys = stale.items.map((c: { key: string }) => c.key);
      expect(keys).toContain('app-orders');
      expect(keys).not.toContain('app-still');
    });

    it('refuses duplicate keys in a snapshot, and callers who may not reconcile', async () => {
      const dup = await request(http).post('/api/cmdb/discovery').set(as(manager)).send({ source: 's', items: [{ key: 'a', version: '1' }, { key: 'a', version: '2' }] }).expect(400);
      expect(dup.body.message).toBe('items.1.key: a is already reported at items.0');
      await request(http).post('/api/cmdb/discovery').set(as(dba)).send({ source: 's', items: [] }).expect(403);
      await request(http).post('/api/cmdb/discovery').set(as(manager)).send({ items: [{ version: 1 }] }).expect(400);
    });
  });

  describe('audit log', () => {
    it('verifies the whole chain', async () => {
      const verification = (await request(http).get('/api/audit/verify').set(as(auditor)).expect(200)).body;
      expect(verification.valid).toBe(true);
      expect(verification.events).toBeGreaterThan(20);
    });

    it('is refused to requesters', async () => {
      await request(http).get('/api/audit').set(as(dba)).expect(403);
    });

    it('cannot be rewritten or deleted through the database', async () => {
      await expect(database.db.query(`UPDATE audit_event SET actor = 'mallory' WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(database.db.query(`DELETE FROM audit_event WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(database.db.query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only/);
    });

    it('detects tampering by someone who got past the triggers', async () => {
      await database.db.query(`ALTER TABLE audit_event DISABLE TRIGGER trg_audit_event_no_update_delete`);
      await database.db.query(`UPDATE audit_event SET data = '{"forged": true}' WHERE seq = 3`);
      await database.db.query(`ALTER TABLE audit_event ENABLE TRIGGER trg_audit_event_no_update_delete`);
      const verification = (await request(http).get('/api/audit/verify').set(as(auditor)).expect(200)).body;
      expect(verification).toMatchObject({ valid: false, events: 2, brokenAt: '3' });
    });
  });
});
