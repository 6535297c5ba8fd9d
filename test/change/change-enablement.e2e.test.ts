import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Principal } from '@steward/identity';
import { ChangeAuthorizationEntity, ChangeFreezeEntity, ChangeRequestEntity, ChangeStepEntity, ChangeTemplateEntity, ConfigurationItemEntity, insertRows } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TEST_CHANGE_PROCESS, createTestDatabase, eventually, startApi, startWorker, temporalClient, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { recordHistories } from '../support/histories';

const requester: Principal = { id: 'alice', name: 'Alice', roles: ['requester'], groups: ['team-a'] };
const owner: Principal = { id: 'olga', name: 'Olga Owner', roles: ['cab_member'], groups: ['team-a'] };
const cab1: Principal = { id: 'bob', name: 'Bob', roles: ['cab_member'], groups: ['cab', 'ecab'] };
const cab2: Principal = { id: 'carol', name: 'Carol', roles: ['cab_member'], groups: ['cab'] };
const cab3: Principal = { id: 'cyd', name: 'Cyd', roles: ['cab_member'], groups: ['cab'] };
const manager: Principal = { id: 'dave', name: 'Dave', roles: ['change_manager', 'cab_member'], groups: ['cab', 'ecab', 'change-managers'] };
const engineer: Principal = { id: 'erin', name: 'Erin', roles: ['release_engineer'], groups: ['platform'] };
const outsider: Principal = { id: 'owen', name: 'Owen', roles: ['cab_member'], groups: ['team-b'] };

const ok = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `step ${id}`,
  kind: 'automated',
  action: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  estimatedMinutes: 5,
  ...extra,
});
const failing = (id: string, extra: Record<string, unknown> = {}) => ok(id, { action: { executor: 'simulated', outcome: 'fail', durationMs: 20 }, ...extra });

/**
 * Change enablement end to end: HTTP API -> Temporal -> worker -> PostgreSQL, every part real.
 * Each test submits its own change on CIs of known criticality, so the policy is known.
 */
describe('change enablement', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  const tokens = new Map<string, string>();
  const taskQueue = uniqueTaskQueue('change-enablement');

  beforeAll(async () => {
    database = await createTestDatabase('change_enablement');
    const ci = (key: string, over: Partial<ConfigurationItemEntity>) =>
      Object.assign(new ConfigurationItemEntity(), { key, name: key, type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1.0', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null, ...over });
    await insertRows(database.db.manager, ConfigurationItemEntity, [
      ci('app-low', {}),
      ci('app-low-2', {}),
      ci('db-high', { type: 'database', environment: 'production', criticality: 1, ownerGroup: 'dba', usersAffected: 5000, version: '15.7' }),
      ci('app-windowed', { tags: ['windowed'] }),
    ]);
    // app-windowed may only change on 1 January at 03:00 UTC: far away, so changes to it wait.
    await database.db.query(
      `INSERT INTO maintenance_window (name, rrule, duration_minutes, timezone, scope_tags, created_by) VALUES ('New year', 'DTSTART:20260101T030000' || chr(10) || 'RRULE:FREQ=YEARLY', 60, 'UTC', '{windowed}', 'test')`,
    );
    await insertRows(database.db.manager, ChangeTemplateEntity, [
      Object.assign(new ChangeTemplateEntity(), {
        templateId: 'restart-app-low',
        version: 1,
        name: 'Restart app-low',
        ciKeys: ['app-low'],
        steps: [ok('restart')],
        cabApproval: 'CAB 2026-11-02 item 7',
        approvedBy: 'dave',
        approvedAt: new Date('2026-11-02T10:00:00Z'),
        active: true,
      }),
    ]);
    [worker, api] = await Promise.all([startWorker(database.url, taskQueue), startApi(database.url, taskQueue)]);
    http = api.getHttpServer() as App;
    for (const p of [requester, owner, cab1, cab2, cab3, manager, engineer, outsider]) tokens.set(p.id, await tokenFor(p));
  });

  /** Finished workflows whose histories the replay test keeps (see test/support/histories.ts). */
  const recorded: Record<string, string> = {};
  const keep = (name: string, id: string) => (recorded[name] = `change-${id}`);

  afterAll(async () => {
    if (Object.keys(recorded).length > 0) {
      const temporal = await temporalClient();
      await recordHistories(temporal.client, recorded).finally(() => temporal.close());
    }
    await api?.close();
    await worker?.close();
    await database?.drop();
  });

  const as = (p: Principal) => ({ Authorization: `Bearer ${tokens.get(p.id)}` });
  const body = (over: Record<string, unknown> = {}) => ({
    title: 'Change under test',
    description: 'd',
    type: 'normal',
    cis: ['app-low'],
    justification: 'j',
    plan: { steps: [ok('deploy')] },
    backoutPlan: 'Redeploy the previous release from the artifact store, then verify health.',
    testEvidence: 'staging run green',
    ...over,
  });
  const submit = async (over: Record<string, unknown> = {}): Promise<string> =>
    (await request(http).post('/api/changes').set(as(requester)).send(body(over)).expect(201)).body.id;
  const view = async (id: string) => (await request(http).get(`/api/changes/${id}`).set(as(manager)).expect(200)).body;
  const reach = (id: string, state: string, timeoutMs = 20_000) => eventually(() => view(id), (c) => c.state === state, timeoutMs);
  // A decision names the plan hash it approves (required): the one the voter sees now, unless the test says otherwise.
  const decide = (id: string, who: Principal, decision = 'approve', extra: Record<string, unknown> = {}) => ({
    expect: async (status: number) => {
      const planHash = (await view(id)).planHash;
      return request(http).post(`/api/changes/${id}/decisions`).set(as(who)).send({ decision, comment: `${who.id} says ${decision}`, planHash, ...extra }).expect(status);
    },
  });

  describe('authorization by model', () => {
    it('runs a standard change that matches its template without a vote, recording the template it relies on', async () => {
      const id = await submit({ type: 'standard', templateId: 'restart-app-low', plan: { steps: [ok('restart')] } });
      const done = await reach(id, 'completed');
      keep('standard-completed', id);
      expect(done.approvals).toEqual([]);
      const authorization = await database.db.getRepository(ChangeAuthorizationEntity).findOneByOrFail({ changeId: id });
      expect(authorization.basis).toMatchObject({ model: 'standard', templateId: 'restart-app-low', templateVersion: 1, cabApproval: 'CAB 2026-11-02 item 7' });
    });

    it('treats a standard change that deviates from its template as normal', async () => {
      const id = await submit({ type: 'standard', templateId: 'restart-app-low', plan: { steps: [ok('restart', { estimatedMinutes: 6 })] } });
      const change = await reach(id, 'awaiting_approval');
      expect(change.type).toBe('normal');
      const timeline = (await request(http).get(`/api/changes/${id}/timeline`).set(as(manager))).body;
      expect(timeline.find((e: { type: string }) => e.type === 'standard_deviation').data.deviation).toMatch(/steps differ/);
    });

    it('authorizes a low-risk normal change with one approval from the owner group, then implements it', async () => {
      const id = await submit();
      const waiting = await reach(id, 'awaiting_approval');
      expect(waiting.risk.level).toBe('low');
      expect(waiting.policy).toEqual({ id: 'normal-low', version: 1, name: 'Normal change, low risk' });
      expect(waiting.requiredApprovals).toEqual([expect.objectContaining({ id: 'owner:team-a', required: 1, approvedBy: [], satisfied: false })]);
      const decided = await decide(id, owner).expect(200);
      expect(decided.body.approvals).toEqual([expect.objectContaining({ approver: 'olga', decision: 'approve', voided: false })]);
      const done = await reach(id, 'completed');
      keep('normal-low-completed', id);
      expect(done.steps).toEqual([expect.objectContaining({ id: 'deploy', state: 'succeeded' })]);
      expect(done.closureCode).toBe('successful');
      const authorization = await database.db.getRepository(ChangeAuthorizationEntity).findOneByOrFail({ changeId: id });
      expect(authorization.basis).toMatchObject({ model: 'normal', policy: { id: 'normal-low', version: 1 }, approvals: [expect.objectContaining({ approver: 'olga' })] });
    });

    it('keeps the policy version a change was assessed under when the policy changes in flight', async () => {
      const id = await submit({ cis: ['app-low-2'] });
      const waiting = await reach(id, 'awaiting_approval');
      expect(waiting.policy).toMatchObject({ id: 'normal-low', version: 1 });
      // A stricter version 2 arrives while the change waits: two approvals from the owners.
      const [v1] = (await database.db.query(`SELECT definition FROM approval_policy WHERE policy_id = 'normal-low' AND version = 1`)) as Array<{ definition: { rules: Array<Record<string, unknown>> } }>;
      const stricter = { ...v1.definition, rules: v1.definition.rules.map((rule) => ({ ...rule, count: 2 })) };
      await database.db.query(`INSERT INTO approval_policy (policy_id, version, name, definition) VALUES ('normal-low', 2, 'Normal change, low risk (stricter)', $1::jsonb)`, [JSON.stringify(stricter)]);
      try {
        await decide(id, owner).expect(200);
        const done = await reach(id, 'completed');
        expect(done.policy).toMatchObject({ id: 'normal-low', version: 1 });
        const later = await submit({ cis: ['app-low-2'] });
        expect((await reach(later, 'awaiting_approval')).policy).toMatchObject({ version: 2 });
        await request(http).post(`/api/changes/${later}/cancel`).set(as(requester)).send({ reason: 'test done' }).expect(200);
      } finally {
        await database.db.query(`UPDATE approval_policy SET active = false WHERE policy_id = 'normal-low' AND version = 2`);
      }
    });

    it('counts a CAB change manager for both rules of a high-risk policy', async () => {
      const id = await submit({ cis: ['db-high'], testEvidence: undefined });
      const waiting = await reach(id, 'awaiting_approval');
      expect(['high', 'critical']).toContain(waiting.risk.level);
      expect(waiting.requiredApprovals.map((r: { id: string }) => r.id)).toEqual(['cab-quorum', 'cab-change-manager']);
      await decide(id, cab1).expect(200);
      await decide(id, cab2).expect(200);
      const third = await decide(id, manager).expect(200);
      expect(third.body.rules.every((r: { satisfied: boolean }) => r.satisfied)).toBe(true);
      await reach(id, 'completed');
    });
  });

  describe('refusals', () => {
    let id: string;
    beforeAll(async () => {
      id = await submit({ cis: ['db-high'], testEvidence: undefined, plan: { steps: [ok('deploy')] } });
      await reach(id, 'awaiting_approval');
    });

    it('refuses the requester (segregation of duties)', async () => {
      const selfApprover: Principal = { ...requester, roles: ['requester', 'cab_member'], groups: ['cab'] };
      tokens.set('alice-cab', await tokenFor(selfApprover));
      const response = await request(http).post(`/api/changes/${id}/decisions`).set({ Authorization: `Bearer ${tokens.get('alice-cab')}` }).send({ decision: 'approve', comment: 'mine', planHash: (await view(id)).planHash }).expect(403);
      expect(response.body.message).toBe('requester cannot approve own change');
    });

    it('refuses a voter outside the policy, and one without a voting role', async () => {
      const response = await decide(id, outsider).expect(403);
      expect(response.body.message).toMatch(/^owen is not an eligible approver under policy Normal change, high or critical risk v1/);
      await decide(id, engineer).expect(403);
    });

    it('refuses a second vote by the same person', async () => {
      await decide(id, cab3).expect(200);
      const again = await decide(id, cab3).expect(409);
      expect(again.body.message).toBe('cyd has already voted on this plan');
    });

    it('refuses a decision for another plan', async () => {
      const response = await decide(id, cab2, 'approve', { planHash: 'f'.repeat(64) }).expect(409);
      expect(response.body.message).toMatch(/^decision is for plan ffffffffffff but the current plan is/);
    });

    it('refuses decisions on a change that is not awaiting approval', async () => {
      const done = await submit({ type: 'standard', templateId: 'restart-app-low', plan: { steps: [ok('restart')] } });
      await reach(done, 'completed');
      const response = await decide(done, owner).expect(409);
      expect(response.body.message).toMatch(/completed/);
    });

    it('records every refusal in the audit log, once, with who and why', async () => {
      // A change of its own, so that what the log holds for it is exactly what this test caused,
      // whatever else ran before. (A caller with no voting role at all is turned away by the
      // route, before any decision exists to refuse: not one of these.)
      const own = await submit({ cis: ['db-high'], testEvidence: undefined, plan: { steps: [ok('deploy')] } });
      await reach(own, 'awaiting_approval');
      const selfApprover: Principal = { ...requester, roles: ['requester', 'cab_member'], groups: ['cab'] };
      const planHash = (await view(own)).planHash;
      await request(http).post(`/api/changes/${own}/decisions`).set({ Authorization: `Bearer ${await tokenFor(selfApprover)}` }).send({ decision: 'approve', comment: 'mine', planHash }).expect(403);
      await decide(own, outsider).expect(403);
      await decide(own, cab3).expect(200);
      await decide(own, cab3).expect(409);
      await decide(own, cab2, 'approve', { planHash: 'f'.repeat(64) }).expect(409);

      const events = (await request(http).get('/api/audit').query({ entity: 'change', id: own }).set(as(manager)).expect(200)).body as Array<{ action: string; actor: string; data: { reason: string } }>;
      expect(events.filter((e) => e.action === 'change.decision_refused').map((e) => [e.actor, e.data.reason])).toEqual([
        ['alice', 'requester cannot approve own change'],
        ['owen', expect.stringMatching(/^owen is not an eligible approver under policy Normal change, high or critical risk v1/)],
        ['cyd', 'cyd has already voted on this plan'],
        ['carol', expect.stringMatching(/^decision is for plan ffffffffffff but the current plan is/)],
      ]);
      // The vote that was taken is not among them.
      expect(events.filter((e) => e.action === 'change.decision.approve').map((e) => e.actor)).toEqual(['cyd']);
      await request(http).post(`/api/changes/${own}/cancel`).set(as(requester)).send({ reason: 'test done' }).expect(200);
    });
  });

  describe('plan changes', () => {
    it('rejects on a reject', async () => {
      const id = await submit();
      await reach(id, 'awaiting_approval');
      await decide(id, owner, 'reject').expect(200);
      const rejected = await reach(id, 'rejected');
      expect(rejected.endReason).toBe('rejected by olga: olga says reject');
    });

    it('sends the change back on request_changes, voids the votes, and re-assesses the revised plan', async () => {
      const id = await submit({ cis: ['app-low', 'app-low-2'] });
      await reach(id, 'awaiting_approval');
      await decide(id, owner, 'request_changes').expect(200);
      const sentBack = await reach(id, 'changes_requested');
      expect(sentBack.approvals).toEqual([expect.objectContaining({ decision: 'request_changes', voided: true })]);
      await decide(id, owner).expect(409);

      const revised = await request(http).put(`/api/changes/${id}/plan`).set(as(requester)).send({ plan: { steps: [ok('deploy'), ok('smoke', { verification: true })] } }).expect(200);
      expect(revised.body.planHash).not.toBe(sentBack.planHash);
      const again = await reach(id, 'awaiting_approval');
      expect(again.planHash).toBe(revised.body.planHash);
      await decide(id, owner).expect(200);
      const done = await reach(id, 'completed');
      keep('changes-requested-then-revised', id);
      expect(done.steps.map((s: { id: string; state: string }) => `${s.id}:${s.state}`)).toEqual(['deploy:succeeded', 'smoke:succeeded']);
    });

    it('voids earlier votes when the plan is edited while awaiting approval', async () => {
      const id = await submit({ cis: ['db-high'], testEvidence: undefined });
      await reach(id, 'awaiting_approval');
      await decide(id, cab1).expect(200);
      await decide(id, cab2).expect(200);
      const before = await view(id);
      await request(http).put(`/api/changes/${id}/plan`).set(as(requester)).send({ plan: { steps: [ok('deploy-v2')] } }).expect(200);
      const after = await eventually(() => view(id), (c) => c.state === 'awaiting_approval' && c.planHash !== before.planHash);
      expect(after.approvals.map((a: { approver: string; voided: boolean }) => [a.approver, a.voided])).toEqual([
        ['bob', true],
        ['carol', true],
      ]);
      expect(after.requiredApprovals.every((r: { approvedBy: string[] }) => r.approvedBy.length === 0)).toBe(true);
      await request(http).post(`/api/changes/${id}/cancel`).set(as(requester)).send({ reason: 'test done' }).expect(200);
    });

    it('lets only the requester or a change manager edit, and never after implementation', async () => {
      const id = await submit();
      await reach(id, 'awaiting_approval');
      await request(http).put(`/api/changes/${id}/plan`).set(as(engineer)).send({ plan: { steps: [ok('x')] } }).expect(403);
      await request(http).put(`/api/changes/${id}/plan`).set(as(requester)).send({ plan: { steps: [{ id: 'bad' }] } }).expect(400);
      await decide(id, owner).expect(200);
      await reach(id, 'completed');
      await request(http).put(`/api/changes/${id}/plan`).set(as(requester)).send({ plan: { steps: [ok('x')] } }).expect(409);
    });
  });

  describe('scheduling', () => {
    it('waits for a requested window, then implements inside it', async () => {
      const start = new Date(Date.now() + 4_000);
      const id = await submit({ requestedWindow: { start: start.toISOString(), end: new Date(start.getTime() + 20 * 60_000).toISOString() } });
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      const waiting = await reach(id, 'scheduled');
      expect(Date.parse(waiting.schedule.windowStart)).toBeGreaterThanOrEqual(start.getTime() - 1000);
      const done = await reach(id, 'completed');
      const authorization = await database.db.getRepository(ChangeAuthorizationEntity).findOneByOrFail({ changeId: id });
      expect(authorization.issuedAt.getTime()).toBeGreaterThanOrEqual(start.getTime() - 1000);
      expect(done.state).toBe('completed');
    });

    it('waits for a maintenance window far away, and is rescheduled and cancelled while it waits', async () => {
      const id = await submit({ cis: ['app-windowed'] });
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      const waiting = await reach(id, 'scheduled');
      expect(new Date(waiting.schedule.windowStart).toISOString()).toMatch(/-01-01T03:00:00.000Z$/);
      const live = (await request(http).get(`/api/changes/${id}/live`).set(as(manager)).expect(200)).body;
      expect(live.waitingFor).toMatch(/maintenance window 'New year'/);

      // A requested window inside next year's window narrows the schedule to it.
      const year = new Date(waiting.schedule.windowStart).getUTCFullYear();
      await request(http)
        .post(`/api/changes/${id}/reschedule`)
        .set(as(requester))
        .send({ window: { start: `${year}-01-01T03:30:00Z`, end: `${year}-01-01T04:00:00Z` } })
        .expect(200);
      await eventually(() => view(id), (c) => c.schedule.windowStart === `${year}-01-01T03:30:00.000Z`);
      await request(http).post(`/api/changes/${id}/reschedule`).set(as(requester)).send({ window: { start: '2027-01-01T04:00:00Z', end: '2027-01-01T03:00:00Z' } }).expect(400);

      await request(http).post(`/api/changes/${id}/cancel`).set(as(requester)).send({ reason: 'not needed' }).expect(200);
      await reach(id, 'cancelled');
      keep('rescheduled-then-cancelled', id);
    });

    it('moves a waiting change at once when a freeze is declared over its interval', async () => {
      const start = new Date(Date.now() + 60_000);
      const id = await submit({ cis: ['app-low-2'], requestedWindow: { start: start.toISOString(), end: new Date(start.getTime() + 60 * 60_000).toISOString() } });
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      const waiting = await eventually(() => view(id), (c) => c.state === 'scheduled' && c.schedule.windowStart !== null);
      expect(Date.parse(waiting.schedule.windowStart)).toBe(start.getTime());
      const freezeEnd = new Date(start.getTime() + 10 * 60_000);
      await request(http)
        .post('/api/freezes')
        .set(as(manager))
        .send({ name: 'Board demo', start: new Date(Date.now() - 1000).toISOString(), end: freezeEnd.toISOString(), reason: 'no risk during the demo', scope: { cis: ['app-low-2'] } })
        .expect(201);
      // Well before the original start: the signal, not the wake-up, moved it.
      const moved = await eventually(() => view(id), (c) => Date.parse(c.schedule.windowStart) >= freezeEnd.getTime(), 10_000);
      expect(moved.state).toBe('scheduled');
      expect(Date.now()).toBeLessThan(start.getTime());
      await request(http).post(`/api/changes/${id}/cancel`).set(as(requester)).send({ reason: 'test done' }).expect(200);
      const freezes = (await request(http).get('/api/freezes').set(as(manager))).body as Array<{ id: string; name: string }>;
      await request(http).delete(`/api/freezes/${freezes.find((f) => f.name === 'Board demo')!.id}`).set(as(manager)).expect(204);
    });

    it('finds a freeze at wake-up and moves past it', async () => {
      const start = new Date(Date.now() + 3_000);
      const id = await submit({ cis: ['app-low-2'], requestedWindow: { start: start.toISOString(), end: new Date(start.getTime() + 60 * 60_000).toISOString() } });
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      await reach(id, 'scheduled');
      // Declared behind the workflow's back (no signal): only the check at wake-up can see it.
      await insertRows(database.db.manager, ChangeFreezeEntity, [
        Object.assign(new ChangeFreezeEntity(), {
          name: 'Quick freeze',
          startAt: new Date(start.getTime() - 60_000),
          endAt: new Date(start.getTime() + 8_000),
          reason: 'incident in progress',
          scopeCis: ['app-low-2'],
          scopeTags: [],
          allowEmergency: false,
          createdBy: 'test',
        }),
      ]);
      const done = await reach(id, 'completed', 30_000);
      keep('freeze-at-wake-up', id);
      const timeline = (await request(http).get(`/api/changes/${id}/timeline`).set(as(manager))).body;
      expect(timeline.find((e: { type: string }) => e.type === 'freeze_at_wake_up').data.freezes).toEqual(['Quick freeze']);
      const authorization = await database.db.getRepository(ChangeAuthorizationEntity).findOneByOrFail({ changeId: id });
      expect(authorization.windowStart.getTime()).toBeGreaterThanOrEqual(start.getTime() + 8_000);
      expect(done.state).toBe('completed');
    });
  });

  describe('assessment context', () => {
    it('shows conflicting changes on the same or dependent CIs and the freezes ahead', async () => {
      await database.db.query(`INSERT INTO ci_relationship (source_key, type, target_key) VALUES ('app-windowed', 'depends_on', 'db-high') ON CONFLICT DO NOTHING`);
      const window = { start: '2031-03-01T10:00:00Z', end: '2031-03-01T12:00:00Z' };
      const first = await submit({ cis: ['db-high'], testEvidence: undefined, requestedWindow: window });
      const second = await submit({ cis: ['app-windowed'], requestedWindow: { start: '2031-03-01T11:00:00Z', end: '2031-03-01T13:00:00Z' } });
      const apart = await submit({ cis: ['app-low-2'], requestedWindow: window });
      await insertRows(database.db.manager, ChangeFreezeEntity, [
        Object.assign(new ChangeFreezeEntity(), { name: 'Quarter close', startAt: new Date('2031-02-28T00:00:00Z'), endAt: new Date('2031-03-02T00:00:00Z'), reason: 'finance', scopeCis: ['db-high'], scopeTags: [], allowEmergency: true, createdBy: 'test' }),
      ]);
      const view1 = await view(first);
      expect(view1.conflicts.map((c: { changeId: string }) => c.changeId)).toEqual([second]);
      expect(view1.freezes).toEqual([expect.objectContaining({ name: 'Quarter close', allowEmergency: true })]);
      expect((await view(apart)).conflicts).toEqual([]);
      for (const id of [first, second, apart]) await request(http).post(`/api/changes/${id}/cancel`).set(as(requester)).send({ reason: 'test done' });
    });
  });

  describe('implementation', () => {
    it('waits for a release engineer on a manual step', async () => {
      const manual = { id: 'check', name: 'Check dashboards', kind: 'manual', action: { instructions: 'Look at the latency panel' }, rollback: { instructions: 'nothing' }, estimatedMinutes: 5 };
      const id = await submit({ plan: { steps: [ok('deploy'), manual] } });
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      await eventually(() => view(id), (c) => c.steps[1].state === 'waiting');
      const live = (await request(http).get(`/api/changes/${id}/live`).set(as(engineer))).body;
      expect(live.waitingFor).toBe('step check by a release engineer: Look at the latency panel');
      await request(http).post(`/api/changes/${id}/steps/deploy/complete`).set(as(engineer)).send({ outcome: 'succeeded', notes: 'x' }).expect(409);
      await request(http).post(`/api/changes/${id}/steps/check/complete`).set(as(requester)).send({ outcome: 'succeeded', notes: 'x' }).expect(403);
      await request(http).post(`/api/changes/${id}/steps/check/complete`).set(as(engineer)).send({ outcome: 'succeeded', notes: 'p99 flat' }).expect(200);
      const done = await reach(id, 'completed');
      keep('manual-step-completed', id);
      expect(done.steps.map((s: { state: string }) => s.state)).toEqual(['succeeded', 'succeeded']);
    });

    it('rolls back the completed steps in reverse order when step 3 fails', async () => {
      const id = await submit({ plan: { steps: [ok('s1'), ok('s2'), failing('s3'), ok('s4')] } });
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      const end = await reach(id, 'rolled_back');
      keep('step-3-failed-rolled-back', id);
      expect(end.steps.map((s: { id: string; state: string }) => `${s.id}:${s.state}`)).toEqual(['s1:rolled_back', 's2:rolled_back', 's3:failed', 's4:pending']);
      const timeline = (await request(http).get(`/api/changes/${id}/timeline`).set(as(manager))).body;
      const rollbacks = timeline.filter((e: { type: string; data: { state: string } }) => e.type === 'step_state' && e.data.state === 'rolled_back');
      expect(rollbacks.map((e: { data: { stepId: string } }) => e.data.stepId)).toEqual(['s2', 's1']);
      expect(end.endReason).toMatch(/^step s3 failed/);
      const failure = await database.db.query(`SELECT end_state, failed_step, production FROM change_failure WHERE change_id = $1`, [id]);
      expect(failure).toEqual([{ end_state: 'rolled_back', failed_step: 's3', production: false }]);
    });

    it('rolls back when verification fails, and ends failed when a rollback fails too', async () => {
      const verifyFails = await submit({ plan: { steps: [ok('s1'), failing('verify', { verification: true })] } });
      const rollbackFails = await submit({
        cis: ['app-low-2'],
        plan: { steps: [ok('s1', { rollback: { executor: 'simulated', outcome: 'fail' } }), ok('s2'), failing('s3')] },
      });
      for (const id of [verifyFails, rollbackFails]) {
        await reach(id, 'awaiting_approval');
        await decide(id, owner).expect(200);
      }
      const verified = await reach(verifyFails, 'rolled_back');
      expect(verified.steps.map((s: { state: string }) => s.state)).toEqual(['rolled_back', 'failed']);
      const failed = await reach(rollbackFails, 'failed');
      keep('rollback-failed', rollbackFails);
      expect(failed.steps.map((s: { state: string }) => s.state)).toEqual(['rollback_failed', 'rolled_back', 'failed']);
      expect(failed.reviewDueAt).not.toBeNull();
    });

    it('runs an emergency change through ECAB outside its windows, and owes a review', async () => {
      const id = await submit({ type: 'emergency', cis: ['app-windowed'] });
      const waiting = await reach(id, 'awaiting_approval');
      expect(waiting.policy.id).toBe('emergency');
      await decide(id, owner).expect(403);
      await decide(id, cab1).expect(200);
      await decide(id, manager).expect(200);
      const done = await reach(id, 'completed');
      keep('emergency-completed', id);
      expect(done.reviewDueAt).not.toBeNull();
      await request(http).post(`/api/changes/${id}/review`).set(as(requester)).send({ summary: 's', lessons: 'l' }).expect(403);
      const reviewed = await request(http).post(`/api/changes/${id}/review`).set(as(manager)).send({ summary: 'Went fine', lessons: 'Keep ECAB on call' }).expect(200);
      expect(reviewed.body.review).toMatchObject({ summary: 'Went fine', reviewedBy: 'dave' });
      await request(http).post(`/api/changes/${id}/review`).set(as(manager)).send({ summary: 'again', lessons: 'again' }).expect(409);
      expect((await view(id)).review.lessons).toBe('Keep ECAB on call');
    });

    it('answers the deployment gate only while implementing, for its CIs and artifact', async () => {
      const manual = { id: 'deploy', name: 'Pipeline deploys', kind: 'manual', action: { instructions: 'run the pipeline' }, rollback: { instructions: 'revert' }, estimatedMinutes: 5 };
      const id = await submit({ plan: { steps: [manual], ciUpdates: [{ ci: 'app-low', version: '2.0', artifactSha: 'abc1234def' }] } });
      const before = (await request(http).get(`/api/changes/${id}/gate`).query({ ci: 'app-low', sha: 'abc1234def' }).set(as(engineer)).expect(200)).body;
      expect(before.allowed).toBe(false);
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      await eventually(() => view(id), (c) => c.steps[0].state === 'waiting');
      const gate = (q: Record<string, string>) => request(http).get(`/api/changes/${id}/gate`).query(q).set(as(engineer)).expect(200);
      expect((await gate({ ci: 'app-low', sha: 'abc1234def' })).body.allowed).toBe(true);
      expect((await gate({ ci: 'app-low', sha: 'bad0000bad' })).body.reasons).toEqual(['artifact bad0000bad is not the authorized abc1234def']);
      expect((await gate({ ci: 'db-high', sha: 'abc1234def' })).body.allowed).toBe(false);
      await request(http).post(`/api/changes/${id}/steps/deploy/complete`).set(as(engineer)).send({ outcome: 'succeeded', notes: 'pipeline #88' }).expect(200);
      await reach(id, 'completed');
      expect((await gate({ ci: 'app-low', sha: 'abc1234def' })).body.allowed).toBe(false);
      const ci = (await request(http).get('/api/cis/app-low').set(as(manager))).body;
      expect(ci.version).toBe('2.0');
    });
  });

  describe('window close', () => {
    it('does not start a step the interval can no longer fit, and rolls back', async () => {
      // s1 outruns its one-minute estimate; afterwards s2's minute no longer fits before the end.
      const end = new Date(Date.now() + 150_000);
      const slow = ok('s1', { estimatedMinutes: 1, action: { executor: 'simulated', outcome: 'succeed', durationMs: 95_000 } });
      const id = await submit({ cis: ['app-low-2'], plan: { steps: [slow, ok('s2', { estimatedMinutes: 1 })] }, requestedWindow: { start: new Date(Date.now() - 1000).toISOString(), end: end.toISOString() } });
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      const rolledBack = await reach(id, 'rolled_back', 150_000);
      expect(rolledBack.steps.map((s: { id: string; state: string }) => `${s.id}:${s.state}`)).toEqual(['s1:rolled_back', 's2:skipped']);
      expect(rolledBack.endReason).toBe('step s2 not started: the interval ends before it could finish');
      expect(Date.now()).toBeLessThan(end.getTime() + 30_000);
    }, 200_000);

    it('holds for a change manager instead, when so configured, and continues on their word', async () => {
      const holdingApi = await startApi(database.url, taskQueue, { ...TEST_CHANGE_PROCESS, windowClosePolicy: 'hold' });
      try {
        const holdingHttp = holdingApi.getHttpServer() as App;
        const end = new Date(Date.now() + 150_000);
        const slow = ok('s1', { estimatedMinutes: 1, action: { executor: 'simulated', outcome: 'succeed', durationMs: 95_000 } });
        const id = (
          await request(holdingHttp)
            .post('/api/changes')
            .set(as(requester))
            .send(body({ cis: ['app-low'], plan: { steps: [slow, ok('s2', { estimatedMinutes: 1 })] }, requestedWindow: { start: new Date(Date.now() - 1000).toISOString(), end: end.toISOString() } }))
            .expect(201)
        ).body.id as string;
        await reach(id, 'awaiting_approval');
        await decide(id, owner).expect(200);
        await request(http).post(`/api/changes/${id}/hold`).set(as(manager)).send({ action: 'continue' }).expect(409);
        const held = await eventually(
          () => request(http).get(`/api/changes/${id}/live`).set(as(manager)).then((r) => r.body),
          (live) => /a change manager: the interval cannot fit step s2/.test(live.waitingFor ?? ''),
          150_000,
        );
        expect(held.state).toBe('implementing');
        await request(http).post(`/api/changes/${id}/hold`).set(as(requester)).send({ action: 'continue' }).expect(403);
        await request(http).post(`/api/changes/${id}/hold`).set(as(manager)).send({ action: 'continue' }).expect(200);
        const done = await reach(id, 'completed');
        expect(done.steps.map((s: { state: string }) => s.state)).toEqual(['succeeded', 'succeeded']);
      } finally {
        await holdingApi.close();
      }
    }, 200_000);
  });

  describe('live view', () => {
    it('streams the timeline as Server-Sent Events until the change ends', async () => {
      const id = await submit();
      await reach(id, 'awaiting_approval');
      await decide(id, owner).expect(200);
      const stream = await request(http).get(`/api/changes/${id}/events`).set(as(manager)).buffer(true).parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      });
      expect(stream.headers['content-type']).toMatch(/text\/event-stream/);
      const text = stream.body as string;
      expect(text).toMatch(/event: submitted/);
      expect(text).toMatch(/event: decision/);
      expect(text).toMatch(/event: end/);
      expect(text).toContain('{"state":"completed"}');
    });
  });

  describe('audit', () => {
    it('keeps a verifiable chain of everything that happened', async () => {
      const verification = (await request(http).get('/api/audit/verify').set(as(manager)).expect(200)).body;
      expect(verification.valid).toBe(true);
      const steps = await database.db.getRepository(ChangeStepEntity).count();
      expect(steps).toBeGreaterThan(0);
      const changes = await database.db.getRepository(ChangeRequestEntity).count();
      expect(changes).toBeGreaterThan(10);
    });
  });
});
