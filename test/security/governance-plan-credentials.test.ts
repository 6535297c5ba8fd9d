import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS } from '@steward/identity';
import { ChangeRequestEntity, seedDemoData } from '@steward/persistence';
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
    target = await startCountingTarget();
    [worker, api] = await Promise.all([startWorker(database.url, taskQueue), startApi(database.url, taskQueue)]);
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
});
