import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS } from '@steward/identity';
import type { Principal } from '@steward/identity';
import { AuditEventEntity, ChangeRequestEntity, ChangeStepEntity, ConfigurationItemEntity, insertRows, seedDemoData } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { changeRequestBody } from '../support/fixtures';
import { createTestDatabase, eventually, startApi, startWorker, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startCountingTarget, type CountingTarget } from './support/counting-target';

const TOKEN = 'Zq4vN8pL2xR7tK9sW3yH6bM1dF5cJ0gE';
const JWT_LIKE = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXBsb3ktYm90In0.c2lnbmF0dXJlLW9mLWEtand0';

/**
 * A plan is read by every approver, stored in the database, copied into the Temporal history
 * and the audit log. Whoever reads any of those would harvest a credential written into it, so
 * the API refuses such plans (400 naming the field, never echoing the value), at submission
 * and at revision; a step names a credential that only the worker holds instead.
 */
describe('Governance: an attacker reading plans (approvers, the Temporal history, the audit log)', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  let target: CountingTarget;
  let requester: Record<string, string>;
  const taskQueue = uniqueTaskQueue('plan-credentials');

  beforeAll(async () => {
    database = await createTestDatabase('plan_credentials');
    await seedDemoData(database.db);
    await insertRows(database.db.manager, ConfigurationItemEntity, [
      Object.assign(new ConfigurationItemEntity(), { key: 'app-creds', name: 'app-creds', type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1.0', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null }),
    ]);
    target = await startCountingTarget();
    // The worker, and only the worker, holds the deploy credential, bound to the target's origin.
    [worker, api] = await Promise.all([
      startWorker(database.url, taskQueue, {
        executorAllowedTargets: [target.hostPort],
        executorCredentials: { 'deploy-bot': { headers: { Authorization: `Bearer ${TOKEN}` }, origins: [target.base] } },
      }),
      startApi(database.url, taskQueue),
    ]);
    http = api.getHttpServer() as App;
    requester = { Authorization: `Bearer ${await tokenFor(DEMO_USERS.requester)}` };
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await target?.close();
    await database?.drop();
  });

  const httpStep = (action: Record<string, unknown>) => ({
    steps: [
      {
        id: 'deploy',
        name: 'Deploy payments-api 4.13.0',
        kind: 'automated',
        action: { executor: 'http', url: `${target.base}/deploy`, ...action },
        rollback: { executor: 'http', url: `${target.base}/rollback` },
        estimatedMinutes: 10,
      },
    ],
  });

  it.each([
    ['an Authorization header', { headers: { Authorization: `Bearer ${TOKEN}` } }, 'plan.steps.0.action.headers.Authorization'],
    ['a Cookie', { headers: { Cookie: `session=${TOKEN}` } }, 'plan.steps.0.action.headers.Cookie'],
    ['an API key header', { headers: { 'X-Api-Key': TOKEN } }, 'plan.steps.0.action.headers.X-Api-Key'],
    ['a JWT in an innocent header', { headers: { 'X-Trace': JWT_LIKE } }, 'plan.steps.0.action.headers.X-Trace'],
    ['a token in the URL query', { url: `${'http://deploy.example.com'}/run?access_token=${TOKEN}` }, 'plan.steps.0.action.url'],
    ['a password in the body', { body: { user: 'deploy', password: TOKEN } }, 'plan.steps.0.action.body.password'],
  ])('refuses a submitted plan carrying %s with 400 naming the field, and never echoes it', async (_what, action, field) => {
    const before = await database.db.getRepository(ChangeRequestEntity).count();
    const response = await request(http).post('/api/changes').set(requester).send(changeRequestBody({ plan: httpStep(action) })).expect(400);
    expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringContaining('"credential"') })]));
    expect(JSON.stringify(response.body)).not.toContain(TOKEN);
    expect(JSON.stringify(response.body)).not.toContain(JWT_LIKE);
    expect(await database.db.getRepository(ChangeRequestEntity).count()).toBe(before);
    expect(target.count()).toBe(0);
  });

  it('refuses a malformed credential name, and accepts a plan that names one', async () => {
    const bad = await request(http).post('/api/changes').set(requester).send(changeRequestBody({ plan: httpStep({ credential: `Bearer ${TOKEN}` }) })).expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'plan.steps.0.action.credential' })]);
    expect(JSON.stringify(bad.body)).not.toContain(TOKEN);

    const good = await request(http).post('/api/changes').set(requester).send(changeRequestBody({ plan: httpStep({ credential: 'deploy-bot', headers: { 'X-Release': '4.13.0' } }) })).expect(201);
    const row = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id: good.body.id });
    expect(row.plan.steps[0].action).toEqual({ executor: 'http', url: `${target.base}/deploy`, credential: 'deploy-bot', headers: { 'X-Release': '4.13.0' } });
  });

  it('refuses a plan revision that adds a credential, naming the field, and keeps the plan', async () => {
    const { body } = await request(http).post('/api/changes').set(requester).send(changeRequestBody({ plan: httpStep({ credential: 'deploy-bot' }) })).expect(201);
    const auditor = { Authorization: `Bearer ${await tokenFor(DEMO_USERS.auditor)}` };
    const before = await eventually(
      async () => (await request(http).get(`/api/changes/${body.id}`).set(auditor).expect(200)).body as { state: string; planHash: string },
      (c) => c.state === 'awaiting_approval',
    );
    const response = await request(http)
      .put(`/api/changes/${body.id}/plan`)
      .set(requester)
      .send({ plan: httpStep({ headers: { 'Proxy-Authorization': `Basic ${TOKEN}` } }) })
      .expect(400);
    expect(response.body.details).toEqual([expect.objectContaining({ field: 'plan.steps.0.action.headers.Proxy-Authorization' })]);
    expect(JSON.stringify(response.body)).not.toContain(TOKEN);
    const after = (await request(http).get(`/api/changes/${body.id}`).set(auditor).expect(200)).body as { planHash: string };
    expect(after.planHash).toBe(before.planHash);
    expect(target.count()).toBe(0);
  });

  describe('through the whole stack: the worker resolves the name', () => {
    const owner: Principal = { id: 'olga', name: 'Olga Owner', roles: ['cab_member'], groups: ['team-a'] };
    const manager: Principal = { id: 'dave', name: 'Dave', roles: ['change_manager', 'cab_member'], groups: ['cab', 'change-managers'] };

    /** A low-risk change on app-creds: one approval from the owner group, then it runs. */
    async function approvedChange(action: Record<string, unknown>, path: string): Promise<string> {
      const plan = {
        steps: [
          {
            id: 'deploy',
            name: 'Deploy app-creds',
            kind: 'automated',
            action: { executor: 'http', url: `${target.base}${path}`, ...action },
            rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 10 },
            estimatedMinutes: 5,
          },
        ],
      };
      const { body } = await request(http).post('/api/changes').set(requester).send(changeRequestBody({ cis: ['app-creds'], plan })).expect(201);
      const viewer = { Authorization: `Bearer ${await tokenFor(manager)}` };
      const waiting = await eventually(
        async () => (await request(http).get(`/api/changes/${body.id}`).set(viewer).expect(200)).body as { state: string; planHash: string },
        (c) => c.state === 'awaiting_approval',
      );
      await request(http)
        .post(`/api/changes/${body.id}/decisions`)
        .set({ Authorization: `Bearer ${await tokenFor(owner)}` })
        .send({ decision: 'approve', comment: 'credential by reference', planHash: waiting.planHash })
        .expect(200);
      return body.id as string;
    }

    async function ended(id: string): Promise<{ state: string }> {
      const viewer = { Authorization: `Bearer ${await tokenFor(manager)}` };
      return eventually(
        async () => (await request(http).get(`/api/changes/${id}`).set(viewer).expect(200)).body as { state: string },
        (c) => ['completed', 'failed', 'rolled_back'].includes(c.state),
        30_000,
      );
    }

    /** Everything Steward keeps about a change, as text: row, steps, timeline, audit. */
    async function everythingKeptAbout(id: string): Promise<string> {
      const viewer = { Authorization: `Bearer ${await tokenFor(manager)}` };
      const timeline = (await request(http).get(`/api/changes/${id}/timeline`).set(viewer).expect(200)).body;
      const change = (await request(http).get(`/api/changes/${id}`).set(viewer).expect(200)).body;
      const steps = await database.db.getRepository(ChangeStepEntity).findBy({ changeId: id });
      const audit = await database.db.getRepository(AuditEventEntity).findBy({ entityId: id });
      const row = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id });
      return JSON.stringify({ timeline, change, steps, audit, row });
    }

    it('sends the credential the worker holds, and keeps it out of everything recorded', async () => {
      const id = await approvedChange({ credential: 'deploy-bot' }, '/deploy-known');
      expect((await ended(id)).state).toBe('completed');
      const calls = target.calls.filter((c) => c.path === '/deploy-known');
      expect(calls).toHaveLength(1);
      expect(calls[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
      const step = await database.db.getRepository(ChangeStepEntity).findOneByOrFail({ changeId: id, stepId: 'deploy' });
      expect(step.detail).toBe(`POST ${target.base}/deploy-known: HTTP 200 OK (application/json)`);
      expect(await everythingKeptAbout(id)).not.toContain(TOKEN);
    });

    it('fails the step, without calling the target, when the worker holds no such credential', async () => {
      const id = await approvedChange({ credential: 'release-bot' }, '/deploy-unknown');
      expect(['failed', 'rolled_back']).toContain((await ended(id)).state);
      const step = await database.db.getRepository(ChangeStepEntity).findOneByOrFail({ changeId: id, stepId: 'deploy' });
      expect(step.detail).toContain('credential "release-bot" is not configured on this worker');
      expect(target.count('/deploy-unknown')).toBe(0);
    });
  });
});
