import type { INestApplicationContext } from '@nestjs/common';
import { DEMO_USERS } from '@steward/identity';
import { ChangeRequestEntity, IncidentEntity, seedDemoData } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createApi } from '../../apps/api/src/create-api';
import { changeRequestBody } from '../support/fixtures';
import { TEST_CHANGE_PROCESS, TEST_JWT_SECRET, TEST_DECISION_SIGNING_KEY, TEST_PAYLOAD_CODEC_KEYS, temporalSettings, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startStewardStack, stopStewardStack, type StewardStack } from '../support/stack';

const incident = (title: string) => ({ title, description: 'p95 latency doubled', service: 'svc-payments', impact: 3, urgency: 3 });

/** Retry-safe writes (API contract: every creating POST honours Idempotency-Key). */
describe('Idempotency-Key and request deadlines', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let http: App;
  const tokens: Record<string, string> = {};
  const taskQueue = uniqueTaskQueue('idempotency');

  let stack: StewardStack | undefined;

  beforeAll(async () => {
    stack = await startStewardStack('idempotency', { taskQueue, tokens, seed: seedDemoData });
    ({ database, worker, http } = stack);
  });

  afterAll(() => stopStewardStack(stack));

  const as = (part: keyof typeof DEMO_USERS) => ({ Authorization: `Bearer ${tokens[part]}` });

  it('answers a repeated incident the same and opens it once, even when the copies arrive at once', async () => {
    const key = 'retry-incident-1';
    const copies = await Promise.all(
      Array.from({ length: 6 }, () => request(http).post('/api/incidents').set(as('serviceDesk')).set('Idempotency-Key', key).send(incident('Checkout slow'))),
    );
    const created = copies.filter((r) => r.status === 201);
    // The first runs; copies that arrive while it runs are told so (409) and a retry after it gets its answer.
    expect(copies.every((r) => r.status === 201 || (r.status === 409 && /still being processed/.test(r.body.message)))).toBe(true);
    expect(created.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(created.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const again = await request(http).post('/api/incidents').set(as('serviceDesk')).set('Idempotency-Key', key).send(incident('Checkout slow')).expect(201);
    expect(again.body).toEqual(created[0].body);
    expect(await database.db.getRepository(IncidentEntity).countBy({ title: 'Checkout slow' })).toBe(1);
  });

  it('refuses the same key with another body (422) and creates nothing', async () => {
    await request(http).post('/api/incidents').set(as('serviceDesk')).set('Idempotency-Key', 'retry-incident-2').send(incident('Disk full')).expect(201);
    const other = await request(http).post('/api/incidents').set(as('serviceDesk')).set('Idempotency-Key', 'retry-incident-2').send(incident('Disk almost full')).expect(422);
    expect(other.body).toEqual({ statusCode: 422, error: 'Unprocessable Entity', message: 'this Idempotency-Key was used for another request: a new request needs a new key' });
    expect(await database.db.getRepository(IncidentEntity).countBy({ title: 'Disk almost full' })).toBe(0);
  });

  it('keeps keys per caller: the same key from someone else is another request', async () => {
    const first = await request(http).post('/api/incidents').set(as('serviceDesk')).set('Idempotency-Key', 'shared-key').send(incident('Queue backlog')).expect(201);
    const second = await request(http).post('/api/incidents').set(as('resolver')).set('Idempotency-Key', 'shared-key').send(incident('Queue backlog')).expect(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('replays a refusal as the same refusal, and a change submitted twice starts one workflow', async () => {
    const bad = await request(http).post('/api/changes').set(as('requester')).set('Idempotency-Key', 'change-1').send({ title: 'x' }).expect(400);
    const badAgain = await request(http).post('/api/changes').set(as('requester')).set('Idempotency-Key', 'change-1').send({ title: 'x' }).expect(400);
    expect(badAgain.body).toEqual(bad.body);

    const body = changeRequestBody({ title: 'Idempotent change' });
    const first = await request(http).post('/api/changes').set(as('requester')).set('Idempotency-Key', 'change-2').send(body).expect(201);
    const second = await request(http).post('/api/changes').set(as('requester')).set('Idempotency-Key', 'change-2').send(body).expect(201);
    expect(second.body).toEqual(first.body);
    expect(await database.db.getRepository(ChangeRequestEntity).countBy({ title: 'Idempotent change' })).toBe(1);
  });

  it('refuses a malformed key with 400', async () => {
    const response = await request(http).post('/api/incidents').set(as('serviceDesk')).set('Idempotency-Key', 'has spaces in it').send(incident('Malformed key')).expect(400);
    expect(response.body.message).toBe('Idempotency-Key must be 1 to 200 printable characters without spaces');
  });

  it('answers 503 with Retry-After when a request outlives its deadline (an update no worker picks up)', async () => {
    const idle = uniqueTaskQueue('no-worker');
    const lonely = await createApi(
      { databaseUrl: database.url, temporal: temporalSettings(idle), auth: { jwtSecret: TEST_JWT_SECRET }, logLevel: 'silent', decisionSigningKey: TEST_DECISION_SIGNING_KEY, payloadCodecKeys: TEST_PAYLOAD_CODEC_KEYS, changeProcess: TEST_CHANGE_PROCESS },
      { shutdownHooks: false, requestDeadlineMs: 8_000 },
    );
    await lonely.listen(0, '127.0.0.1');
    try {
      const server = lonely.getHttpServer() as App;
      // Opening starts the workflow, which needs no worker; acknowledging is an update, which does.
      const opened = await request(server).post('/api/incidents').set(as('serviceDesk')).send(incident('Nobody home')).expect(201);
      const started = Date.now();
      const late = await request(server).post(`/api/incidents/${opened.body.id}/acknowledge`).set(as('resolver'));
      expect(late.status).toBe(503);
      expect(late.headers['retry-after']).toBe('5');
      expect(late.body.message).toMatch(/did not finish within 8 s/);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await lonely.close();
    }
  });

  it('documents the header on every POST', async () => {
    const document = (await request(http).get('/docs-json').expect(200)).body as { paths: Record<string, { post?: { parameters?: Array<{ name: string; in: string }> } }> };
    const posts = Object.entries(document.paths).filter(([, ops]) => ops.post);
    expect(posts.length).toBeGreaterThan(20);
    expect(posts.filter(([, ops]) => !ops.post!.parameters?.some((p) => p.name === 'Idempotency-Key' && p.in === 'header')).map(([path]) => path)).toEqual([]);
  });
});
