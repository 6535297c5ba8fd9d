import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS } from '@steward/identity';
import { ChangeApprovalEntity, ChangeRequestEntity, seedDemoData } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { changeRequestBody } from '../support/fixtures';
import { createTestDatabase, eventually, startApi, startWorker, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { targetPlan } from './support/abuse-stack';
import { startCountingTarget, type CountingTarget } from './support/counting-target';

describe('API3:2023 Broken Object Property Level Authorization', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  let target: CountingTarget;
  const taskQueue = uniqueTaskQueue('api3');
  const auth = async (part: keyof typeof DEMO_USERS) => ({ Authorization: `Bearer ${await tokenFor(DEMO_USERS[part])}` });

  beforeAll(async () => {
    database = await createTestDatabase('sec_api3');
    await seedDemoData(database.db);
    target = await startCountingTarget();
    [worker, api] = await Promise.all([startWorker(database.url, taskQueue, { executorAllowedTargets: [target.hostPort] }), startApi(database.url, taskQueue)]);
    http = api.getHttpServer() as App;
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await target?.close();
    await database?.drop();
  });

  const changes = () => database.db.getRepository(ChangeRequestEntity).count();

  describe('mass assignment: properties the server owns cannot be set by the client', () => {
    it('refuses a new change that claims its own state, plan hash, requester, approvals or run, naming each field, and creates nothing', async () => {
      const before = await changes();
      const response = await request(http)
        .post('/api/changes')
        .set(await auth('requester'))
        .send({
          ...changeRequestBody({ plan: targetPlan(target) }),
          state: 'completed',
          planHash: 'a'.repeat(64),
          requesterId: 'dave',
          approvals: [{ approver: 'dave', decision: 'approve' }],
          workflowRunId: 'forged-run',
          risk: { score: 0, level: 'low' },
        });
      expect(response.status).toBe(400);
      const fields = (response.body.details as Array<{ field: string }>).map((d) => d.field).sort();
      expect(fields).toEqual(['approvals', 'planHash', 'requesterId', 'risk', 'state', 'workflowRunId']);
      expect(response.body.message).toMatch(/property state should not exist/);
      expect(await changes()).toBe(before);
      expect(target.count()).toBe(0);
    });

    it('refuses a step that claims it already succeeded, inside the nested plan', async () => {
      const plan = targetPlan(target);
      const response = await request(http)
        .post('/api/changes')
        .set(await auth('requester'))
        .send(changeRequestBody({ plan: { steps: [{ ...plan.steps[0], state: 'succeeded', authorizedBy: 'dave' }] } }));
      expect(response.status).toBe(400);
      expect((response.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['plan.steps.0.authorizedBy', 'plan.steps.0.state']);
      expect(target.count()).toBe(0);
    });

    it('refuses a decision that names its own approver or signature; the vote is the token holder’s, signed by the server', async () => {
      const id = (await request(http).post('/api/changes').set(await auth('requester')).send(changeRequestBody({ plan: targetPlan(target) })).expect(201)).body.id as string;
      const change = await eventually(
        async () => (await request(http).get(`/api/changes/${id}`).set(await auth('auditor')).expect(200)).body,
        (c) => c.state === 'awaiting_approval',
      );
      const forged = await request(http)
        .post(`/api/changes/${id}/decisions`)
        .set(await auth('cabMember'))
        .send({ decision: 'approve', comment: 'ok', planHash: change.planHash, approver: 'dave', signature: 'f'.repeat(64), at: '2020-01-01T00:00:00Z' });
      expect(forged.status).toBe(400);
      expect((forged.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['approver', 'at', 'signature']);
      expect(await database.db.getRepository(ChangeApprovalEntity).countBy({ changeId: id })).toBe(0);
      expect(target.count()).toBe(0);
    });

    it('refuses a plan edit that smuggles state or a plan hash', async () => {
      const id = (await request(http).post('/api/changes').set(await auth('requester')).send(changeRequestBody({ plan: targetPlan(target) })).expect(201)).body.id as string;
      const response = await request(http)
        .put(`/api/changes/${id}/plan`)
        .set(await auth('requester'))
        .send({ plan: targetPlan(target), state: 'scheduled', planHash: 'b'.repeat(64) });
      expect(response.status).toBe(400);
      expect((response.body.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['planHash', 'state']);
      expect(target.count()).toBe(0);
    });
  });

  describe('responses expose no properties a reader should not see', () => {
    it('change views (detail, list, timeline, live) carry no decision signatures, tokens or workflow run ids', async () => {
      const id = (await request(http).post('/api/changes').set(await auth('requester')).send(changeRequestBody({ plan: targetPlan(target) })).expect(201)).body.id as string;
      const change = await eventually(
        async () => (await request(http).get(`/api/changes/${id}`).set(await auth('auditor')).expect(200)).body,
        (c) => c.state === 'awaiting_approval',
      );
      await request(http).post(`/api/changes/${id}/decisions`).set(await auth('cabMember')).send({ decision: 'approve', comment: 'looks fine', planHash: change.planHash }).expect(200);
      const [approval] = await database.db.getRepository(ChangeApprovalEntity).findBy({ changeId: id });
      const [row] = await database.db.getRepository(ChangeRequestEntity).findBy({ id });
      expect(approval.signature.length).toBeGreaterThan(20);
      const secrets = [approval.signature.trim(), row.workflowRunId].filter((s): s is string => typeof s === 'string' && s.length > 0);

      for (const reader of ['requester', 'cabMember', 'releaseEngineer'] as const) {
        const headers = await auth(reader);
        const views = [
          (await request(http).get(`/api/changes/${id}`).set(headers).expect(200)).text,
          (await request(http).get(`/api/changes?limit=100`).set(headers).expect(200)).text,
          (await request(http).get(`/api/changes/${id}/timeline`).set(headers).expect(200)).text,
        ];
        const live = await request(http).get(`/api/changes/${id}/live`).set(headers);
        if (live.status === 200) views.push(live.text);
        for (const text of views) {
          for (const secret of secrets) expect(text).not.toContain(secret);
          expect(text).not.toMatch(/"(signature|token|authorizationToken|workflowRunId|runId)"\s*:/);
        }
      }
      // The audit trail, which holds the signatures as evidence, is for auditors and managers only.
      await request(http).get('/api/audit').set(await auth('requester')).expect(403);
      await request(http).get('/api/audit').set(await auth('cabMember')).expect(403);
      expect(target.count()).toBe(0);
    });
  });
});
