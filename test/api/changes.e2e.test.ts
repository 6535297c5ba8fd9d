import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS, signToken } from '@steward/identity';
import { ChangeRequestEntity, seedDemoData } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { changeRequestBody } from '../support/fixtures';
import { eventually, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startStewardStack, stopStewardStack, type StewardStack } from '../support/stack';

/** HTTP -> API -> Temporal -> worker -> PostgreSQL, every part real. */
describe('changes over HTTP', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  const tokens: Record<string, string> = {};
  const taskQueue = uniqueTaskQueue('changes-e2e');

  let stack: StewardStack | undefined;

  beforeAll(async () => {
    stack = await startStewardStack('changes_e2e', { taskQueue, tokens, seed: seedDemoData });
    ({ database, worker, api, http } = stack);
  });

  afterAll(() => stopStewardStack(stack));

  const as = (part: keyof typeof DEMO_USERS) => ({ Authorization: `Bearer ${tokens[part]}` });

  async function submit(overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await request(http).post('/api/changes').set(as('requester')).send(changeRequestBody(overrides)).expect(201);
    return response.body.id as string;
  }

  const getChange = async (id: string) => (await request(http).get(`/api/changes/${id}`).set(as('auditor')).expect(200)).body;

  describe('the vertical slice', () => {
    it('submits a change, starts its workflow and shows it awaiting approval', async () => {
      const response = await request(http).post('/api/changes').set(as('requester')).send(changeRequestBody()).expect(201);
      expect(response.body).toEqual({ id: expect.stringMatching(/^CHG-\d{6,}$/), state: 'submitted', workflowId: `change-${response.body.id}` });

      const change = await eventually(() => getChange(response.body.id), (c) => c.state === 'awaiting_approval');
      expect(change).toMatchObject({
        id: response.body.id,
        title: 'Upgrade payments-api to 4.13.0',
        type: 'normal',
        planHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        steps: [{ id: 'deploy', state: 'pending' }],
        workflowId: `change-${response.body.id}`,
        requester: { id: 'alice', name: 'Alice Requester' },
        cis: ['app-payments-api'],
        approvals: [],
        risk: { score: expect.any(Number), level: expect.stringMatching(/^(low|medium|high|critical)$/) },
        schedule: { windowStart: null, windowEnd: null },
      });

      const timeline = (await request(http).get(`/api/changes/${response.body.id}/timeline`).set(as('auditor')).expect(200)).body;
      expect(timeline.map((e: { type: string; data: { to?: string } }) => e.data.to ?? e.type)).toEqual(['submitted', 'assessing', 'assessed', 'awaiting_approval']);
      expect(timeline[0]).toMatchObject({ actor: 'alice', type: 'submitted' });
    });

    it('gives each submission its own number and workflow', async () => {
      const [a, b] = await Promise.all([submit(), submit()]);
      expect(a).not.toBe(b);
      const rows = await database.db.getRepository(ChangeRequestEntity).findBy([{ id: a }, { id: b }]);
      expect(new Set(rows.map((r) => r.workflowId)).size).toBe(2);
    });

    it('binds the plan hash to content, not to field order', async () => {
      const step = { id: 'deploy', name: 'Deploy', kind: 'automated', action: { executor: 'simulated', outcome: 'succeed' }, rollback: { executor: 'simulated', outcome: 'succeed' }, estimatedMinutes: 5 };
      const reordered = { estimatedMinutes: 5, rollback: { outcome: 'succeed', executor: 'simulated' }, action: { outcome: 'succeed', executor: 'simulated' }, kind: 'automated', name: 'Deploy', id: 'deploy' };
      const a = await getChange(await submit({ plan: { steps: [step] } }));
      const b = await getChange(await submit({ plan: { steps: [reordered] } }));
      const c = await getChange(await submit({ plan: { steps: [{ ...step, estimatedMinutes: 6 }] } }));
      expect(a.planHash).toBe(b.planHash);
      expect(c.planHash).not.toBe(a.planHash);
    });

    it('lists changes with filters and paging', async () => {
      const id = await submit({ cis: ['db-payments'] });
      await eventually(() => getChange(id), (c) => c.state === 'awaiting_approval');
      const byCi = (await request(http).get('/api/changes').query({ ci: 'db-payments' }).set(as('auditor')).expect(200)).body;
      expect(byCi.items.map((c: { id: string }) => c.id)).toEqual([id]);
      const page = (await request(http).get('/api/changes').query({ state: 'awaiting_approval', limit: 1 }).set(as('auditor')).expect(200)).body;
      expect(page.items).toHaveLength(1);
      expect(page.total).toBeGreaterThan(1);
      expect(page.limit).toBe(1);
    });

    it('cancels on the requester’s word, then refuses a second cancel with 409', async () => {
      const id = await submit();
      await eventually(() => getChange(id), (c) => c.state === 'awaiting_approval');
      const cancelled = await request(http).post(`/api/changes/${id}/cancel`).set(as('requester')).send({ reason: 'window moved' }).expect(200);
      expect(cancelled.body.state).toBe('cancelled');
      expect((await getChange(id)).state).toBe('cancelled');
      const again = await request(http).post(`/api/changes/${id}/cancel`).set(as('requester')).send({ reason: 'again' }).expect(409);
      expect(again.body).toEqual({ statusCode: 409, error: 'Conflict', message: `change ${id} is cancelled and can no longer be cancelled` });
    });

    it('refuses a cancel by someone who is neither the requester nor a change manager', async () => {
      const id = await submit();
      const refused = await request(http).post(`/api/changes/${id}/cancel`).set(as('releaseEngineer')).send({ reason: 'not mine' }).expect(403);
      expect(refused.body.message).toBe('only the requester or a change manager may cancel this change');
      const byManager = await request(http).post(`/api/changes/${id}/cancel`).set(as('changeManager')).send({ reason: 'CAB decision' });
      expect(byManager.status).toBe(200);
    });
  });

  describe('bad input', () => {
    it('names every missing or invalid field, and writes nothing', async () => {
      const before = await database.db.getRepository(ChangeRequestEntity).count();
      const response = await request(http)
        .post('/api/changes')
        .set(as('requester'))
        .send({ title: '', type: 'sideways', cis: 'svc-payments', plan: { steps: [{ id: 'a b', kind: 'robot', estimatedMinutes: 0 }] }, surprise: true })
        .expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const fields = (response.body.details as Array<{ field: string }>).map((d) => d.field);
      for (const field of [
        'surprise',
        'title',
        'description',
        'type',
        'cis',
        'justification',
        'backoutPlan',
        'plan.steps.0.id',
        'plan.steps.0.name',
        'plan.steps.0.kind',
        'plan.steps.0.action',
        'plan.steps.0.rollback',
        'plan.steps.0.estimatedMinutes',
      ]) {
        expect(fields).toContain(field);
        expect(response.body.message).toContain(field);
      }
      expect(await database.db.getRepository(ChangeRequestEntity).count()).toBe(before);
    });

    it('names unknown CIs', async () => {
      const response = await request(http).post('/api/changes').set(as('requester')).send(changeRequestBody({ cis: ['app-payments-api', 'ghost-1', 'ghost-2'] })).expect(400);
      expect(response.body.message).toBe('cis: unknown configuration items: ghost-1, ghost-2');
    });

    it('checks step actions against their kind and executor', async () => {
      const plan = { steps: [{ id: 's', name: 'n', kind: 'automated', action: { executor: 'ssh' }, rollback: { executor: 'http', url: 'file:///etc/passwd' }, estimatedMinutes: 1 }] };
      const response = await request(http).post('/api/changes').set(as('requester')).send(changeRequestBody({ plan })).expect(400);
      expect(response.body.details.map((d: { field: string }) => d.field)).toEqual(['plan.steps.0.action.executor', 'plan.steps.0.rollback.url']);
    });

    it('wants windows with offsets, ending after they start', async () => {
      const noOffset = await request(http).post('/api/changes').set(as('requester')).send(changeRequestBody({ requestedWindow: { start: '2026-12-01T22:00:00', end: '2026-12-02T02:00:00Z' } })).expect(400);
      expect(noOffset.body.message).toContain('requestedWindow.start');
      const backwards = await request(http).post('/api/changes').set(as('requester')).send(changeRequestBody({ requestedWindow: { start: '2026-12-02T02:00:00Z', end: '2026-12-01T22:00:00Z' } })).expect(400);
      expect(backwards.body.message).toContain('requestedWindow.end');
    });

    it('answers malformed JSON with 400', async () => {
      const response = await request(http).post('/api/changes').set(as('requester')).set('Content-Type', 'application/json').send('{"title": ').expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('refuses unknown query parameters and values', async () => {
      const response = await request(http).get('/api/changes').query({ state: 'pondering', limit: 1000 }).set(as('auditor')).expect(400);
      expect(response.body.message).toContain('state');
      expect(response.body.message).toContain('limit');
    });

    it('answers 404 for unknown and malformed change ids', async () => {
      await request(http).get('/api/changes/CHG-999999').set(as('auditor')).expect(404);
      const malformed = await request(http).get('/api/changes/drop%20table').set(as('auditor')).expect(404);
      expect(malformed.body.error).toBe('Not Found');
    });
  });

  describe('identity', () => {
    it('answers 401 without a token, with a bad one, and with one signed by another secret', async () => {
      await request(http).get('/api/changes').expect(401);
      await request(http).get('/api/changes').set('Authorization', 'Bearer not.a.jwt').expect(401);
      const forged = await signToken('some-other-secret-that-is-long-enough-000', DEMO_USERS.admin);
      const response = await request(http).get('/api/changes').set('Authorization', `Bearer ${forged}`).expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('answers 403 naming the roles when an auditor tries to submit', async () => {
      const response = await request(http).post('/api/changes').set(as('auditor')).send(changeRequestBody()).expect(403);
      expect(response.body.message).toBe('requires one of the roles: requester, release_engineer, change_manager, admin');
    });
  });

  describe('service basics', () => {
    it('reports PostgreSQL and Temporal up on /health without a token', async () => {
      const response = await request(http).get('/health').expect(200);
      expect(response.body.status).toBe('ok');
      expect(response.body.info.postgres.status).toBe('up');
      expect(response.body.info.temporal.status).toBe('up');
    });

    it('publishes the OpenAPI document with the change endpoints', async () => {
      const doc = (await request(http).get('/docs-json').expect(200)).body;
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/changes', '/api/changes/{id}', '/api/changes/{id}/timeline', '/health']));
      expect(doc.components.schemas.CreateChangeDto.required).toEqual(expect.arrayContaining(['title', 'type', 'cis', 'plan']));
      await request(http).get('/docs').expect(200);
    });

    it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
      const given = await request(http).get('/health').set('X-Request-Id', 'pipeline-run-42');
      expect(given.headers['x-request-id']).toBe('pipeline-run-42');
      const made = await request(http).get('/health').set('X-Request-Id', 'bad id with spaces');
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
