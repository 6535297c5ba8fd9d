import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ChangeExecutionActivities } from '@steward/activities';
import { changeWorkflowId, type ChangeWorkflowInput, type PlanStep } from '@steward/contracts';
import type { Principal } from '@steward/identity';
import {
  AuditEventEntity,
  ChangeApprovalEntity,
  ChangeAuthorizationEntity,
  ChangeExecutionEntity,
  ChangeGateService,
  ChangeRequestEntity,
  ChangeStepEntity,
  ConfigurationItemEntity,
  insertRows,
} from '@steward/persistence';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { temporal as temporalProto } from '@temporalio/proto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { changeWorkflow } from '@steward/workflows';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TEST_CHANGE_PROCESS, createTestDatabase, testDecisionSigner, testPayloadCodec, eventually, startApi, startWorker, temporalClient, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { testEnv } from '../support/test-env';
import { stewardDataConverter } from '@steward/temporal';
import type { AttackCall, AttackResult, attackerWorkflow } from './support/attacker.workflow';
import { readChangeHistory } from './support/change-history';
import { startCountingTarget, type CountingTarget } from './support/counting-target';

const requester: Principal = { id: 'alice', name: 'Alice', roles: ['requester'], groups: ['team-a'] };
const owner: Principal = { id: 'olga', name: 'Olga', roles: ['cab_member'], groups: ['team-a'] };
const manager: Principal = { id: 'dave', name: 'Dave', roles: ['change_manager', 'cab_member'], groups: ['cab', 'change-managers'] };
const engineer: Principal = { id: 'erin', name: 'Erin', roles: ['release_engineer'], groups: ['platform'] };

type ResetRequest = temporalProto.api.workflowservice.v1.IResetWorkflowExecutionRequest;

const TEMPORAL_CLI = process.env.TEMPORAL_CLI_PATH ?? join(homedir(), '.cache', 'steward', 'temporal-1.5.1', 'temporal');

/**
 * Someone who can reach the Temporal server (its UI, its CLI, the SDK, a worker of their own
 * polling Steward's task queue) tries to make a change execute again, roll back, move, or record
 * what Steward never decided. Every attempt is refused, audited, and reaches no executor: the
 * counting target is the deployment target of every step and its count must not move.
 */
describe('Governance: an attacker with Temporal access', () => {
  let database: TestDatabase;
  let target: CountingTarget;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let client: Client;
  const tokens = new Map<string, string>();
  const taskQueue = uniqueTaskQueue('governance-temporal');

  beforeAll(async () => {
    database = await createTestDatabase('governance_temporal');
    target = await startCountingTarget();
    await insertRows(database.db.manager, ConfigurationItemEntity, [
      Object.assign(new ConfigurationItemEntity(), { key: 'app-guarded', name: 'Guarded', type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1.0', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null }),
    ]);
    [worker, api] = await Promise.all([startWorker(database.url, taskQueue, { executorAllowedTargets: [target.hostPort] }), startApi(database.url, taskQueue)]);
    http = api.getHttpServer() as App;
    temporal = await temporalClient();
    client = temporal.client;
    for (const p of [requester, owner, manager, engineer]) tokens.set(p.id, await tokenFor(p));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await temporal?.close();
    await target?.close();
    await database?.drop();
  });

  const as = (p: Principal) => ({ Authorization: `Bearer ${tokens.get(p.id)}` });
  const view = async (id: string) => (await request(http).get(`/api/changes/${id}`).set(as(manager)).expect(200)).body;
  const audit = (changeId: string, action: string) => database.db.getRepository(AuditEventEntity).find({ where: { entityId: changeId, action }, order: { seq: 'ASC' } });
  const ledger = (changeId: string) => database.db.getRepository(ChangeExecutionEntity).find({ where: { changeId }, order: { id: 'ASC' } });

  /** Deploy (http), then a manual verification, then a later http step; the CMDB takes 2.0 on success. */
  const plan = (tag: string) => ({
    steps: [
      { id: 'deploy', name: 'Deploy 2.0', kind: 'automated', action: { executor: 'http', url: `${target.base}/deploy/${tag}`, method: 'POST' }, rollback: { executor: 'http', url: `${target.base}/rollback/${tag}`, method: 'POST' }, estimatedMinutes: 5 },
      { id: 'verify', name: 'Verify by hand', kind: 'manual', action: { instructions: 'check the dashboard' }, rollback: { instructions: 'nothing to undo' }, estimatedMinutes: 5 },
      { id: 'later', name: 'Warm caches', kind: 'automated', action: { executor: 'http', url: `${target.base}/later/${tag}`, method: 'POST' }, rollback: { executor: 'http', url: `${target.base}/later-rollback/${tag}`, method: 'POST' }, estimatedMinutes: 5 },
    ],
    ciUpdates: [{ ci: 'app-guarded', version: '2.0' }],
  });

  const submit = async (tag: string): Promise<string> =>
    (
      await request(http)
        .post('/api/changes')
        .set(as(requester))
        .send({ title: `Guarded ${tag}`, description: 'd', type: 'normal', cis: ['app-guarded'], justification: 'j', plan: plan(tag), backoutPlan: 'Redeploy 1.0 from the artifact store and verify health.', testEvidence: 'staging green' })
        .expect(201)
    ).body.id;

  /** A change approved through the API whose deploy ran once and which waits at its manual step. */
  async function deployedAndWaiting(tag: string): Promise<string> {
    const id = await submit(tag);
    await eventually(() => view(id), (c) => c.state === 'awaiting_approval', 30_000);
    // A staging CI of criticality 4: low risk, one approval from its owner group authorizes it.
    const waiting = await view(id);
    expect(waiting.policy.id).toBe('normal-low');
    await request(http).post(`/api/changes/${id}/decisions`).set(as(owner)).send({ decision: 'approve', comment: 'fine', planHash: waiting.planHash }).expect(200);
    await eventually(() => view(id), (c) => c.steps[1]?.state === 'waiting', 30_000);
    expect(target.count(`/deploy/${tag}`)).toBe(1);
    return id;
  }

  /** What an attack must leave exactly as it was. */
  async function stateOf(id: string) {
    const [change, steps, approvals, executions, ci] = await Promise.all([
      database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id }),
      database.db.getRepository(ChangeStepEntity).find({ where: { changeId: id }, order: { position: 'ASC' } }),
      database.db.getRepository(ChangeApprovalEntity).countBy({ changeId: id }),
      ledger(id),
      database.db.getRepository(ConfigurationItemEntity).findOneByOrFail({ key: 'app-guarded' }),
    ]);
    return {
      state: change.state,
      completedAt: change.completedAt,
      steps: steps.map((s) => [s.stepId, s.state, s.endedAt?.toISOString() ?? null]),
      approvals,
      executions: executions.map((e) => [e.stepId, e.phase, e.outcome, e.runId]),
      ciVersion: ci.version,
      calls: target.calls.length,
    };
  }

  const failureOf = async (handle: { result(): Promise<unknown> }) => {
    const failure = await handle.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ActivityFailure;
    expect(cause).toBeInstanceOf(ActivityFailure);
    return cause.cause as ApplicationFailure;
  };

  /** After a reset: the new run is refused at its first write, nothing else moved, and a manager can settle. */
  async function expectResetRefusedThenSettle(id: string, before: Awaited<ReturnType<typeof stateOf>>, recordedRunId: string, newRunId: string, tag: string) {
    expect(newRunId).not.toBe(recordedRunId);
    const refusal = await failureOf(client.workflow.getHandle(changeWorkflowId(id), newRunId));
    expect(refusal.type).toBe('forbidden');
    expect(refusal.message).toBe(`run ${newRunId} of change-${id} is not the run Steward started (${recordedRunId})`);
    expect(refusal.nonRetryable).toBe(true);

    expect(await stateOf(id)).toEqual(before);
    expect(target.count(`/deploy/${tag}`)).toBe(1);
    expect(target.count(`/rollback/${tag}`)).toBe(0);
    const refused = await audit(id, 'change.foreign_run_refused');
    expect(refused.map((e) => e.data)).toContainEqual(expect.objectContaining({ workflowId: `change-${id}`, runId: newRunId, activity: 'recordStepState' }));
    expect(await audit(id, 'change.marked_for_attention')).toHaveLength(1);
    const marked = await view(id);
    expect(marked.attention).toEqual({ reason: refusal.message, since: expect.any(String) });

    // The recorded run was terminated by the reset: a change manager settles the change.
    await request(http).post(`/api/changes/${id}/settle`).set(as(engineer)).send({ outcome: 'failed', reason: 'reset' }).expect(403);
    const invalid = await request(http).post(`/api/changes/${id}/settle`).set(as(manager)).send({ outcome: 'completed' }).expect(400);
    expect(JSON.stringify(invalid.body.message)).toMatch(/outcome/);
    const settled = await request(http)
      .post(`/api/changes/${id}/settle`)
      .set(as(manager))
      .send({ outcome: 'failed', reason: 'workflow reset after the deploy; 2.0 verified live by hand' })
      .expect(200);
    expect(settled.body).toMatchObject({ changeId: id, state: 'failed', settledBy: 'dave', recordedRun: { runId: recordedRunId, status: 'TERMINATED' } });
    const after = await view(id);
    expect(after).toMatchObject({ state: 'failed', endReason: 'workflow reset after the deploy; 2.0 verified live by hand', closureCode: 'failed', attention: null });
    expect(Date.parse(after.reviewDueAt)).toBeGreaterThan(Date.now());
    expect((await audit(id, 'change.settled'))[0]).toMatchObject({ actor: 'dave', data: expect.objectContaining({ from: 'implementing', to: 'failed' }) });
    await request(http).post(`/api/changes/${id}/settle`).set(as(manager)).send({ outcome: 'failed', reason: 'again' }).expect(409);
    expect(target.calls.length).toBe(before.calls);
  }

  it('a. a reset through the SDK to just after the authorization executes nothing again; the change is marked and can be settled', async () => {
    const id = await deployedAndWaiting('sdk-reset');
    const facts = await readChangeHistory(client, changeWorkflowId(id));
    const before = await stateOf(id);
    const { runId } = await client.workflowService.resetWorkflowExecution(temporalProto.api.workflowservice.v1.ResetWorkflowExecutionRequest.create({
      namespace: 'default',
      workflowExecution: { workflowId: changeWorkflowId(id), runId: facts.runId },
      reason: 'attacker: run the deployment again',
      // protobufjs encodes a plain number into an int64 field; the generated type names only Long.
      workflowTaskFinishEventId: facts.resetEventId as unknown as ResetRequest['workflowTaskFinishEventId'],
      requestId: randomUUID(),
    }));
    await expectResetRefusedThenSettle(id, before, facts.runId, runId!, 'sdk-reset');
  }, 180_000);

  it('b. the same reset through the Temporal CLI executes nothing again', async () => {
    const id = await deployedAndWaiting('cli-reset');
    const facts = await readChangeHistory(client, changeWorkflowId(id));
    const before = await stateOf(id);
    await promisify(execFile)(TEMPORAL_CLI, [
      'workflow', 'reset',
      '--address', testEnv('temporalAddress'),
      '--namespace', 'default',
      '--workflow-id', changeWorkflowId(id),
      '--run-id', facts.runId,
      '--event-id', String(facts.resetEventId),
      '--reason', 'attacker: run the deployment again',
    ]);
    const latest = await eventually(() => client.workflow.getHandle(changeWorkflowId(id)).describe(), (d) => d.runId !== facts.runId);
    await expectResetRefusedThenSettle(id, before, facts.runId, latest.runId, 'cli-reset');
  }, 180_000);

  it("c. the attacker's own workflow on its own task queue schedules Steward's activities with copied inputs: nothing changes", async () => {
    const id = await deployedAndWaiting('foreign');
    const facts = await readChangeHistory(client, changeWorkflowId(id));
    const before = await stateOf(id);
    const copiedDeploy = facts.inputs.runStep[0] as { token: string; changeId: string; stepId: string; phase: string };
    expect(copiedDeploy).toMatchObject({ changeId: id, stepId: 'deploy', phase: 'action', token: facts.token });
    // A decision genuinely signed with Steward's key (not one the workflow ever accepted).
    const signer = testDecisionSigner();
    const change = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id });
    const decision = signer.sign({ changeId: id, planHash: change.planHash, approver: { id: 'mallory', name: 'Mallory', roles: ['cab_member'], groups: ['team-a'] }, decision: 'approve', comment: 'sure', at: new Date().toISOString() });
    const calls: AttackCall[] = [
      { activity: 'runStep', input: copiedDeploy },
      { activity: 'runStep', input: { ...copiedDeploy, phase: 'rollback' } },
      { activity: 'runStep', input: { ...copiedDeploy, stepId: 'later' } },
      { activity: 'recordChangeTransition', input: { changeId: id, sequence: 1000, transition: { from: 'implementing', to: 'rolling_back', at: new Date().toISOString(), actor: 'steward', reason: 'forged' } } },
      { activity: 'recordStepState', input: { changeId: id, stepId: 'deploy', state: 'failed', detail: 'forged' } },
      { activity: 'recordDecision', input: { decision } },
      { activity: 'authorizeImplementation', input: { changeId: id, window: { start: new Date().toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() } } },
      { activity: 'completeChange', input: { changeId: id, closureCode: 'successful' } },
    ];

    const attackerQueue = uniqueTaskQueue('attacker');
    const connection = await NativeConnection.connect({ address: testEnv('temporalAddress') });
    // The strongest form of this attacker: one who also holds the payload codec key (an insider
    // who reads histories), so the copied inputs reach Steward's activities as they were.
    const attacker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue: attackerQueue,
      workflowsPath: require.resolve('./support/attacker.workflow'),
      dataConverter: stewardDataConverter(testPayloadCodec()),
    });
    const attackerWorkflowId = `attacker-${randomUUID()}`;
    let results: AttackResult[];
    try {
      results = await attacker.runUntil(
        client.workflow.execute<typeof attackerWorkflow>('attackerWorkflow', { workflowId: attackerWorkflowId, taskQueue: attackerQueue, args: [{ stewardTaskQueue: taskQueue, calls }] }),
      );
    } finally {
      await connection.close();
    }

    expect(results).toHaveLength(calls.length);
    for (const result of results) {
      expect(result).toMatchObject({ outcome: 'refused', type: 'forbidden', message: `workflow ${attackerWorkflowId} is not change-${id}, the workflow of ${id}` });
    }
    expect(await stateOf(id)).toEqual(before);
    expect(before).toMatchObject({ state: 'implementing', ciVersion: '1.0', executions: [['deploy', 'action', 'succeeded', facts.runId]] });
    expect(target.count(`/deploy/foreign`)).toBe(1);
    expect(target.count(`/rollback/foreign`)).toBe(0);
    expect(target.count(`/later/foreign`)).toBe(0);
    const refused = await audit(id, 'change.foreign_run_refused');
    expect(refused.map((e) => (e.data as { activity: string }).activity).sort()).toEqual(calls.map((c) => c.activity).sort());
    expect(refused.every((e) => (e.data as { workflowId: string }).workflowId === attackerWorkflowId)).toBe(true);
    // Another workflow id is not the change's own: nothing for a change manager to settle.
    expect((await view(id)).attention).toBeNull();
    expect(await audit(id, 'change.marked_for_attention')).toHaveLength(0);
    expect(await database.db.getRepository(ChangeAuthorizationEntity).countBy({ changeId: id })).toBe(1);

    // The real run is alive and healthy: settling it is refused.
    const conflict = await request(http).post(`/api/changes/${id}/settle`).set(as(manager)).send({ outcome: 'failed', reason: 'no' }).expect(409);
    expect(conflict.body.message).toMatch(/still running/);
    await client.workflow.getHandle(changeWorkflowId(id)).terminate('test done');
  }, 240_000);

  describe('d. a change workflow started directly, without the API', () => {
    it('with the workflow id of a real change executes nothing and marks the change', async () => {
      const id = await submit('same-id');
      await eventually(() => view(id), (c) => c.state === 'awaiting_approval', 30_000);
      const row = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id });
      await client.workflow.getHandle(changeWorkflowId(id)).terminate('attacker ends the real run');
      const input: ChangeWorkflowInput = { changeId: id, type: 'standard', title: 'mine', requester: { id: 'mallory', name: 'M' }, ciKeys: ['app-guarded'], planHash: row.planHash, steps: row.plan.steps as PlanStep[], settings: TEST_CHANGE_PROCESS };
      const handle = await client.workflow.start<typeof changeWorkflow>('changeWorkflow', { workflowId: changeWorkflowId(id), taskQueue, args: [input], workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
      const refusal = await failureOf(handle);
      expect(refusal.type).toBe('forbidden');
      expect(refusal.message).toMatch(/is not the run Steward started/);
      expect((await view(id)).attention?.reason).toBe(refusal.message);
      expect((await audit(id, 'change.foreign_run_refused')).map((e) => e.data)).toContainEqual(expect.objectContaining({ runId: handle.firstExecutionRunId, activity: 'recordChangeTransition' }));
      expect((await view(id)).state).toBe('awaiting_approval');
      expect(await database.db.getRepository(ChangeAuthorizationEntity).countBy({ changeId: id })).toBe(0);
      expect(await ledger(id)).toEqual([]);
      expect(target.count('/deploy/same-id')).toBe(0);
    }, 120_000);

    it('with a fresh workflow id naming a real change executes nothing', async () => {
      const id = await submit('fresh-id');
      await eventually(() => view(id), (c) => c.state === 'awaiting_approval', 30_000);
      const row = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id });
      const workflowId = `change-CHG-9${Date.now()}`;
      const input: ChangeWorkflowInput = { changeId: id, type: 'standard', title: 'mine', requester: { id: 'mallory', name: 'M' }, ciKeys: ['app-guarded'], planHash: row.planHash, steps: row.plan.steps as PlanStep[], settings: TEST_CHANGE_PROCESS };
      const handle = await client.workflow.start<typeof changeWorkflow>('changeWorkflow', { workflowId, taskQueue, args: [input] });
      const refusal = await failureOf(handle);
      expect(refusal).toMatchObject({ type: 'forbidden', message: `workflow ${workflowId} is not change-${id}, the workflow of ${id}` });
      expect((await audit(id, 'change.foreign_run_refused')).map((e) => e.data)).toContainEqual(expect.objectContaining({ workflowId, activity: 'recordChangeTransition' }));
      expect((await view(id)).attention).toBeNull();
      expect((await view(id)).state).toBe('awaiting_approval');
      expect(target.count('/deploy/fresh-id')).toBe(0);
      await client.workflow.getHandle(changeWorkflowId(id)).terminate('test done');
    }, 120_000);
  });

  it('e. a token reused for another change, another step, or after its window is refused', async () => {
    const a = await deployedAndWaiting('token-a');
    const b = await deployedAndWaiting('token-b');
    const [factsA, rowA, rowB] = [await readChangeHistory(client, changeWorkflowId(a)), ...(await Promise.all([a, b].map((id) => database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id }))))];
    const [beforeA, beforeB] = [await stateOf(a), await stateOf(b)];
    const execution = worker.get(ChangeExecutionActivities, { strict: false });
    // Defense in depth: even called as the run recorded on the change (which an attacker cannot
    // be), a token serves its own change, its own authorized steps, and only inside its window.
    const asRunOf = (row: ChangeRequestEntity) => new MockActivityEnvironment({ workflowExecution: { workflowId: row.workflowId, runId: row.workflowRunId! }, activityType: 'runStep' });
    const attempt = (row: ChangeRequestEntity, input: Parameters<ChangeExecutionActivities['runStep']>[0]) =>
      asRunOf(row).run(() => execution.runStep(input)).then(() => 'executed', (error: { code?: string; message: string }) => `${error.code}: ${error.message}`);

    expect(await attempt(rowB, { token: factsA.token, changeId: b, stepId: 'later', phase: 'action' })).toBe(`forbidden: the token is for ${a}, not ${b}`);
    expect(await attempt(rowA, { token: factsA.token, changeId: a, stepId: 'verify', phase: 'action' })).toBe('forbidden: step verify is manual: a release engineer performs it');
    expect(await attempt(rowA, { token: factsA.token, changeId: a, stepId: 'drop-database', phase: 'action' })).toBe('forbidden: step drop-database is not in the authorized plan');
    expect(await attempt(rowA, { token: factsA.token, changeId: a, stepId: 'deploy', phase: 'rollback' })).toBe(`forbidden: change ${a} is implementing, not rolling back: no rollback may run`);
    // A's token in the hands of B's recorded run (say, copied between histories).
    expect(await attempt(rowB, { token: factsA.token, changeId: a, stepId: 'later', phase: 'action' })).toBe(`forbidden: workflow change-${b} is not change-${a}, the workflow of ${a}`);
    // After its window: the gate, asked at a time past the authorized interval.
    const authorization = await database.db.getRepository(ChangeAuthorizationEntity).findOneByOrFail({ changeId: a });
    const gate = worker.get(ChangeGateService, { strict: false });
    const late = await gate
      .admit(factsA.token, a, 'later', 'action', { workflowId: rowA.workflowId, runId: rowA.workflowRunId! }, new Date(authorization.windowEnd.getTime() + 1_000))
      .catch((error: Error) => error.message);
    expect(late).toBe('the authorized interval has closed');
    expect(await stateOf(a)).toEqual(beforeA);
    expect(await stateOf(b)).toEqual(beforeB);
    expect(target.count('/later/')).toBe(0);
    const refusals = [...(await audit(a, 'change.execution_refused')), ...(await audit(b, 'change.execution_refused'))];
    expect(refusals.map((e) => (e.data as { reason: string }).reason)).toEqual(
      expect.arrayContaining([`the token is for ${a}, not ${b}`, 'step verify is manual: a release engineer performs it', 'the authorized interval has closed']),
    );
    expect(await audit(a, 'change.foreign_run_refused')).toHaveLength(1);
    for (const id of [a, b]) await client.workflow.getHandle(changeWorkflowId(id)).terminate('test done');
  }, 240_000);
});
