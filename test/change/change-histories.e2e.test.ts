import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { calendarChangedSignal, changeStateQuery, changeWorkflowId, decideSignal, type ChangeProcessSettings, type ChangeSnapshot, type ChangeWorkflowInput, type PlanStep } from '@steward/contracts';
import { formatChangeId } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import { ChangeAuthorizationEntity, ChangeEventEntity, ChangeRequestEntity, ConfigurationItemEntity, insertRows } from '@steward/persistence';
import type { Client } from '@temporalio/client';
import request from 'supertest';
import type { App } from 'supertest/types';
import { startRecordedChange } from '../support/fixtures';
import { TEST_CHANGE_PROCESS, createTestDatabase, eventually, startApi, startWorker, temporalClient, testDecisionSigner, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { recordHistories } from '../support/histories';

const requester: Principal = { id: 'alice', name: 'Alice', roles: ['requester', 'cab_member'], groups: ['team-a'] };
const owner: Principal = { id: 'olga', name: 'Olga Owner', roles: ['cab_member'], groups: ['team-a'] };
const manager: Principal = { id: 'dave', name: 'Dave', roles: ['change_manager', 'cab_member'], groups: ['cab', 'ecab', 'change-managers'] };

const ok = (id: string, extra: Partial<PlanStep> = {}): PlanStep => ({
  id,
  name: `step ${id}`,
  kind: 'automated',
  action: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  estimatedMinutes: 5,
  ...extra,
});

/**
 * Paths of the change workflow that no other recorded history covers: votes by signal, the
 * approval clock running out, a hold at window close, a freeze pushed onto a scheduled change.
 * Each scenario asserts its outcome; with STEWARD_RECORD_HISTORIES=1 their histories are saved
 * for the replay test, so a refactoring of the workflow that changes its commands fails there.
 */
describe('change workflow paths kept as recorded histories', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let client: Client;
  const tokens = new Map<string, string>();
  const taskQueue = uniqueTaskQueue('change-histories');
  const signer = testDecisionSigner();

  beforeAll(async () => {
    database = await createTestDatabase('change_histories');
    const ci = (key: string) =>
      Object.assign(new ConfigurationItemEntity(), { key, name: key, type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1.0', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null });
    await insertRows(database.db.manager, ConfigurationItemEntity, [ci('app-signalled'), ci('app-reminded'), ci('app-held'), ci('app-frozen')]);
    [worker, api, temporal] = await Promise.all([startWorker(database.url, taskQueue), startApi(database.url, taskQueue), temporalClient()]);
    client = temporal.client;
    http = api.getHttpServer() as App;
    for (const p of [requester, owner, manager]) tokens.set(p.id, await tokenFor(p));
  });

  const recorded: Record<string, string> = {};
  const keep = (name: string, id: string) => (recorded[name] = changeWorkflowId(id));

  afterAll(async () => {
    if (Object.keys(recorded).length > 0 && client) await recordHistories(client, recorded);
    await api?.close();
    await worker?.close();
    await temporal?.close();
    await database?.drop();
  });

  const as = (p: Principal) => ({ Authorization: `Bearer ${tokens.get(p.id)}` });
  const submit = async (over: Record<string, unknown>): Promise<string> =>
    (
      await request(http)
        .post('/api/changes')
        .set(as(requester))
        .send({ title: 'Change under test', description: 'd', type: 'normal', justification: 'j', plan: { steps: [ok('deploy')] }, backoutPlan: 'Redeploy the previous release.', testEvidence: 'staging green', ...over })
        .expect(201)
    ).body.id;
  const view = async (id: string) => (await request(http).get(`/api/changes/${id}`).set(as(manager)).expect(200)).body;
  const reach = (id: string, state: string, timeoutMs = 30_000) => eventually(() => view(id), (c) => c.state === state, timeoutMs);
  const decide = async (id: string, who: Principal, decision = 'approve') =>
    request(http).post(`/api/changes/${id}/decisions`).set(as(who)).send({ decision, comment: `${who.id} says ${decision}`, planHash: (await view(id)).planHash });
  const eventsOf = (changeId: string, type: string) => database.db.getRepository(ChangeEventEntity).find({ where: { changeId, type }, order: { at: 'ASC' } });

  /** A change row as a submission writes it, started by hand with the settings a test needs. */
  async function startByHand(ciKey: string, steps: PlanStep[], settings: ChangeProcessSettings, window?: { start: Date; end: Date }): Promise<string> {
    const [{ number }] = (await database.db.query(`SELECT nextval('change_request_number_seq')::int AS number`)) as Array<{ number: number }>;
    const id = formatChangeId(number);
    const planHash = computePlanHash({ steps }, 'redeploy');
    const repository = database.db.getRepository(ChangeRequestEntity);
    await repository.save(
      repository.create({
        id, number, title: 'Change started by hand', description: 'd', type: 'normal', justification: 'j', ciKeys: [ciKey], plan: { steps }, planHash, backoutPlan: 'redeploy', testEvidence: 'green',
        state: 'submitted', requesterId: requester.id, requesterName: requester.name, workflowId: changeWorkflowId(id),
        ...(window ? { requestedWindowStart: window.start, requestedWindowEnd: window.end } : {}),
      }),
    );
    const input: ChangeWorkflowInput = { changeId: id, type: 'normal', title: 'Change started by hand', requester: { id: requester.id, name: requester.name }, ciKeys: [ciKey], planHash, steps, settings };
    await startRecordedChange(client, database.db, input, taskQueue);
    return id;
  }

  it('counts a vote sent by signal, records a refused one, and ignores a calendar change while awaiting approval', async () => {
    const id = await submit({ cis: ['app-signalled'] });
    const waiting = await reach(id, 'awaiting_approval');
    const handle = client.workflow.getHandle(changeWorkflowId(id));
    const signed = (who: Principal) =>
      signer.sign({ changeId: id, planHash: waiting.planHash, approver: { id: who.id, name: who.name, roles: who.roles, groups: who.groups }, decision: 'approve', comment: `${who.id} by signal`, at: new Date().toISOString() });

    // The requester's own approval, genuinely signed: refused by the workflow and recorded.
    await handle.signal(decideSignal, signed(requester));
    const refused = await eventually(() => eventsOf(id, 'decision_refused'), (events) => events.length === 1);
    expect(refused[0].actor).toBe('alice');
    expect(refused[0].data).toEqual({ reason: 'requester cannot approve own change' });
    await handle.signal(calendarChangedSignal, { reason: 'a window was added' });
    expect((await handle.query(changeStateQuery)).approvals).toEqual([]);

    await handle.signal(decideSignal, signed(owner));
    const done = await reach(id, 'completed');
    keep('change-signal-votes-completed', id);
    expect(done.approvals).toEqual([expect.objectContaining({ approver: 'olga', decision: 'approve', voided: false })]);
    expect(done.steps).toEqual([expect.objectContaining({ id: 'deploy', state: 'succeeded' })]);
    expect(await eventsOf(id, 'decision_refused')).toHaveLength(1);
  });

  it('reminds the approvers, escalates to the change managers, then expires the change', async () => {
    const settings = { ...TEST_CHANGE_PROCESS, approvalReminderMs: 1_000, approvalEscalationMs: 2_000, approvalExpiryMs: 3_000 };
    const id = await startByHand('app-reminded', [ok('deploy')], settings);
    const expired = await reach(id, 'rejected');
    keep('change-approval-reminded-escalated-expired', id);
    expect(expired.endReason).toBe('expired');
    const reminders = await eventsOf(id, 'approval_reminder');
    const escalations = await eventsOf(id, 'approval_escalation');
    expect(reminders).toHaveLength(1);
    expect(escalations).toHaveLength(1);
    expect(reminders[0].data).toEqual({ groups: ['team-a'], missing: ['1 approval from the owner group team-a (app-reminded): 0 of 1 so far'] });
    expect(escalations[0].data).toMatchObject({ groups: ['change-managers'] });
    expect(reminders[0].at.getTime()).toBeLessThanOrEqual(escalations[0].at.getTime());
    expect((await decide(id, owner)).status).toBe(409);
  });

  it('holds at window close for a change manager, who rolls the change back', async () => {
    // s1 fits the interval from its start, but runs for 4 s: afterwards s2's minute no longer fits.
    const start = new Date(Date.now() + 25_000);
    const end = new Date(start.getTime() + 1.02 * 60_000 + 2_000);
    const steps = [ok('s1', { estimatedMinutes: 0.02, action: { executor: 'simulated', outcome: 'succeed', durationMs: 4_000 } }), ok('s2', { estimatedMinutes: 1 })];
    const id = await startByHand('app-held', steps, { ...TEST_CHANGE_PROCESS, windowClosePolicy: 'hold' }, { start, end });
    await reach(id, 'awaiting_approval');
    expect((await decide(id, owner)).status).toBe(200);
    const held = await eventually(
      () => request(http).get(`/api/changes/${id}/live`).set(as(manager)).then((r) => r.body),
      (live) => /a change manager: the interval cannot fit step s2/.test(live.waitingFor ?? ''),
      60_000,
    );
    expect(held.state).toBe('implementing');
    expect((await request(http).post(`/api/changes/${id}/hold`).set(as(manager)).send({ action: 'rollback' })).status).toBe(200);
    const rolledBack = await reach(id, 'rolled_back');
    keep('change-window-hold-rolled-back', id);
    expect(rolledBack.steps.map((s: { id: string; state: string }) => `${s.id}:${s.state}`)).toEqual(['s1:rolled_back', 's2:skipped']);
    expect(rolledBack.endReason).toBe('step s2 not started: the interval ends before it could finish');
  }, 90_000);

  it('moves a scheduled change past a freeze declared over its interval, then implements it there', async () => {
    const start = new Date(Date.now() + 20_000);
    const id = await submit({ cis: ['app-frozen'], requestedWindow: { start: start.toISOString(), end: new Date(start.getTime() + 60 * 60_000).toISOString() } });
    await reach(id, 'awaiting_approval');
    expect((await decide(id, owner)).status).toBe(200);
    const waiting = await eventually(() => view(id), (c) => c.state === 'scheduled' && c.schedule?.windowStart !== null && c.schedule?.windowStart !== undefined);
    expect(Date.parse(waiting.schedule.windowStart)).toBe(start.getTime());
    const freezeEnd = new Date(start.getTime() + 3_000);
    await request(http)
      .post('/api/freezes')
      .set(as(manager))
      .send({ name: 'Pushed freeze', start: new Date(Date.now() - 1000).toISOString(), end: freezeEnd.toISOString(), reason: 'no risk now', scope: { cis: ['app-frozen'] } })
      .expect(201);
    // Before the original start: the calendar signal, not the wake-up, moved the change.
    const moved = await eventually(() => view(id), (c) => Date.parse(c.schedule.windowStart) >= freezeEnd.getTime(), 15_000);
    expect(moved.state).toBe('scheduled');
    expect(Date.now()).toBeLessThan(start.getTime());
    const done = await reach(id, 'completed', 45_000);
    keep('change-freeze-pushed-completed', id);
    expect(done.steps).toEqual([expect.objectContaining({ id: 'deploy', state: 'succeeded' })]);
    const authorization = await database.db.getRepository(ChangeAuthorizationEntity).findOneByOrFail({ changeId: id });
    expect(authorization.windowStart.getTime()).toBeGreaterThanOrEqual(freezeEnd.getTime());
    expect(await eventsOf(id, 'freeze_at_wake_up')).toEqual([]);
  }, 90_000);
});
