import type { INestApplicationContext } from '@nestjs/common';
import { ChangeActivities, ChangeExecutionActivities } from '@steward/activities';
import {
  changeStateQuery,
  changeWorkflowId,
  decideSignal,
  decideUpdate,
  type ChangeProcessSettings,
  type ChangeSnapshot,
  type ChangeWorkflowInput,
  type PlanStep,
} from '@steward/contracts';
import { StewardError, formatChangeId } from '@steward/domain';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import {
  AuditEventEntity,
  ChangeApprovalEntity,
  ChangeAuthorizationEntity,
  ChangeExecutionEntity,
  ChangeEventEntity,
  ChangeRequestEntity,
  ChangeStepEntity,
  ConfigurationItemEntity,
  NotificationEntity,
  insertRows,
} from '@steward/persistence';
import { AuthorizationTokens, StewardKeys } from '@steward/security';
import { WorkflowFailedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startRecordedChange } from '../support/fixtures';
import { startCountingTarget, type CountingTarget } from '../security/support/counting-target';
import type { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { changeWorkflow } from '@steward/workflows';
import { TEST_CHANGE_PROCESS, TEST_SIGNING_SECRET, createTestDatabase, testDecisionSigner, eventually, startWorker, temporalClient, uniqueTaskQueue, type TestDatabase } from '../support/harness';

const steps: PlanStep[] = [
  {
    id: 'deploy',
    name: 'Deploy',
    kind: 'automated',
    action: { executor: 'simulated', outcome: 'succeed', durationMs: 10 },
    rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 10 },
    estimatedMinutes: 5,
  },
];
const owner = { id: 'olga', name: 'Olga', roles: ['cab_member'], groups: ['team-a'] };

/**
 * The authorization guarantee against someone who can reach the Temporal server or call
 * activities: a workflow started by hand, forged decisions, and executors called directly.
 */
describe('authorization guarantee', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let client: Client;
  /** The deployment target of the http steps here: a call to it is an execution. */
  let target: CountingTarget;
  const taskQueue = uniqueTaskQueue('authorization-guarantee');
  const signer = testDecisionSigner();

  beforeAll(async () => {
    database = await createTestDatabase('authorization_guarantee');
    await insertRows(database.db.manager, ConfigurationItemEntity, [
      Object.assign(new ConfigurationItemEntity(), { key: 'app-guarded', name: 'Guarded', type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null }),
    ]);
    target = await startCountingTarget();
    worker = await startWorker(database.url, taskQueue, { executorAllowedTargets: [target.hostPort] });
    temporal = await temporalClient();
    client = temporal.client;
  });

  afterAll(async () => {
    await worker?.close();
    await temporal?.close();
    await target?.close();
    await database?.drop();
  });

  /** A change row as a submission writes it, but with no run recorded: the API never started it. */
  async function recordedChange(planSteps: PlanStep[] = steps): Promise<ChangeWorkflowInput> {
    const steps = planSteps;
    const [{ number }] = (await database.db.query(`SELECT nextval('change_request_number_seq')::int AS number`)) as Array<{ number: number }>;
    const id = formatChangeId(number);
    const planHash = computePlanHash({ steps }, 'redeploy');
    await database.db.getRepository(ChangeRequestEntity).save(
      database.db.getRepository(ChangeRequestEntity).create({
        id, number, title: 'Guarded change', description: 'd', type: 'normal', justification: 'j', ciKeys: ['app-guarded'],
        plan: { steps }, planHash, backoutPlan: 'redeploy', testEvidence: 'green', state: 'submitted', requesterId: 'alice', requesterName: 'Alice', workflowId: changeWorkflowId(id),
      }),
    );
    return { changeId: id, type: 'normal', title: 'Guarded change', requester: { id: 'alice', name: 'Alice' }, ciKeys: ['app-guarded'], planHash, steps, settings: TEST_CHANGE_PROCESS };
  }

  /** Starts the change's workflow and records its run, as the API's submission does. */
  async function startRecorded(input: ChangeWorkflowInput, settings: ChangeProcessSettings = TEST_CHANGE_PROCESS) {
    const handle = await startRecordedChange(client, database.db, { ...input, settings }, taskQueue);
    await eventually(() => handle.query(changeStateQuery), (s: ChangeSnapshot) => s.state === 'awaiting_approval');
    return handle;
  }

  const sign = (input: ChangeWorkflowInput, approver = owner) =>
    signer.sign({ changeId: input.changeId, planHash: input.planHash, approver, decision: 'approve', comment: 'looks fine', at: new Date().toISOString() });

  it('does not count a decision whose signature the API never made, by update or by signal', async () => {
    const input = await recordedChange();
    const handle = await startRecorded(input);
    const forged = { ...sign(input), signature: 'a'.repeat(64) };

    const refused = await handle.executeUpdate(decideUpdate, { args: [forged] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('forbidden');
    expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toBe('decision is not signed by Steward');

    await handle.signal(decideSignal, { ...forged, approver: { ...owner, id: 'mallory' }, comment: 'trust me' });
    await eventually(
      () => database.db.getRepository(ChangeEventEntity).countBy({ changeId: input.changeId, type: 'decision_refused' }),
      (n) => n >= 2,
    );
    const snapshot = await handle.query(changeStateQuery);
    expect(snapshot.approvals).toEqual([]);
    expect(snapshot.state).toBe('awaiting_approval');
    await handle.terminate('test done');
  });

  it('executes no step for a workflow started by hand, even with genuine approvals', async () => {
    const input = await recordedChange();
    const recorded = await startRecorded(input);
    await recorded.terminate('the operator ended the run Steward started');
    // Started by hand with the change's own workflow id, and handed a genuinely signed decision
    // (say, replayed from the first run): its very first write is refused, it gets no token.
    const handle = await client.workflow.signalWithStart<typeof changeWorkflow, [ReturnType<typeof sign>]>('changeWorkflow', {
      workflowId: changeWorkflowId(input.changeId),
      taskQueue,
      args: [input],
      signal: decideSignal,
      signalArgs: [sign(input)],
    });
    const failure = await handle.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ActivityFailure;
    expect((cause.cause as ApplicationFailure).type).toBe('forbidden');
    expect((cause.cause as ApplicationFailure).message).toMatch(/is not the run Steward started/);
    expect(await database.db.getRepository(ChangeStepEntity).countBy({ changeId: input.changeId })).toBe(0);
    expect(await database.db.getRepository(ChangeAuthorizationEntity).countBy({ changeId: input.changeId })).toBe(0);
    expect(await database.db.getRepository(ChangeApprovalEntity).countBy({ changeId: input.changeId })).toBe(0);
    const audit = await database.db.getRepository(AuditEventEntity).findBy({ entityId: input.changeId, action: 'change.foreign_run_refused' });
    expect(audit.map((a) => a.data)).toContainEqual(expect.objectContaining({ workflowId: changeWorkflowId(input.changeId), runId: handle.signaledRunId }));
    const row = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id: input.changeId });
    expect(row.state).toBe('awaiting_approval');
    expect(row.attentionReason).toMatch(/is not the run Steward started/);
  });

  it('refuses executors called without, or with a forged, token, even as the recorded run', async () => {
    // Steps whose executor calls the counting target: what a direct call would execute.
    const input = await recordedChange([
      {
        id: 'deploy',
        name: 'Deploy',
        kind: 'automated',
        action: { executor: 'http', url: `${target.base}/direct/deploy`, method: 'POST' },
        rollback: { executor: 'http', url: `${target.base}/direct/rollback`, method: 'POST' },
        estimatedMinutes: 5,
      },
    ]);
    await database.db.getRepository(ChangeRequestEntity).update({ id: input.changeId }, { workflowRunId: 'run-recorded', state: 'implementing' });
    const execution = worker.get(ChangeExecutionActivities, { strict: false });
    const forger = new AuthorizationTokens(new StewardKeys('an-attacker-secret-of-sufficient-length-00'));
    const realKeys = new AuthorizationTokens(new StewardKeys(TEST_SIGNING_SECRET));
    const claims = { changeId: input.changeId, planHash: input.planHash, runId: 'run-recorded', windowStart: new Date().toISOString(), windowEnd: new Date(Date.now() + 3_600_000).toISOString() };
    const attempts: Array<[string, unknown]> = [
      ['no token', undefined],
      ['garbage', 'not-a-token'],
      ['signed with another key', forger.issue(claims, new Date()).token],
      // Even a token made with the real key is refused when the gate never recorded it.
      ['never issued by the gate', realKeys.issue(claims, new Date()).token],
    ];
    for (const [, token] of attempts) for (const phase of ['action', 'rollback'] as const) {
      const step = { changeId: input.changeId, stepId: 'deploy', phase };
      // Called in-process, outside any activity: no run at all.
      const outside = await execution.runStep({ ...step, token: token as string }).catch((e: unknown) => e);
      expect((outside as StewardError).code).toBe('forbidden');
      // Called in the activity context of the run recorded on the change: the token decides.
      const asRecordedRun = new MockActivityEnvironment({ workflowExecution: { workflowId: changeWorkflowId(input.changeId), runId: 'run-recorded' }, activityType: 'runStep' });
      const error = await asRecordedRun.run(() => execution.runStep({ ...step, token: token as string })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StewardError);
      expect((error as StewardError).code).toBe('forbidden');
      expect((error as StewardError).message).toMatch(/authorization token refused|no recorded authorization/);
    }
    // runStep awaits its executor, so every call above is over: the target heard nothing, the
    // execution ledger holds no claim, and each refusal is on the record.
    expect(target.calls.filter((c) => c.path.startsWith('/direct/')).map((c) => `${c.method} ${c.path}`)).toEqual([]);
    expect(await database.db.getRepository(ChangeExecutionEntity).countBy({ changeId: input.changeId })).toBe(0);
    const refusals = await database.db.getRepository(AuditEventEntity).find({ where: { entityId: input.changeId, action: 'change.execution_refused' }, order: { seq: 'ASC' } });
    expect(refusals.map((r) => (r.data as { phase: string }).phase)).toEqual(attempts.flatMap(() => ['action', 'rollback']));
  });

  it('binds every change activity to the recorded run: each one refuses any other caller before it reads its input', async () => {
    const input = await recordedChange();
    await database.db.getRepository(ChangeRequestEntity).update({ id: input.changeId }, { workflowRunId: 'run-recorded' });
    const instances: Array<[string, object]> = [
      ['ChangeActivities', worker.get(ChangeActivities, { strict: false })],
      ['ChangeExecutionActivities', worker.get(ChangeExecutionActivities, { strict: false })],
    ];
    const names: string[] = [];
    // One input that names the change however an activity reads it.
    const anyInput = { changeId: input.changeId, decision: { changeId: input.changeId }, token: 'x', stepId: 'deploy', phase: 'action' };
    for (const [, instance] of instances) {
      for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(instance))) {
        const method = (instance as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof method !== 'function') continue;
        names.push(name);
        for (const caller of [{ workflowId: 'attacker-workflow', runId: 'run-recorded' }, { workflowId: changeWorkflowId(input.changeId), runId: 'run-after-reset' }]) {
          const env = new MockActivityEnvironment({ workflowExecution: caller, activityType: name });
          const error = await env.run(() => (method as (i: unknown) => Promise<unknown>).call(instance, anyInput)).then(() => undefined, (e: unknown) => e);
          expect([name, (error as StewardError)?.code]).toEqual([name, 'forbidden']);
        }
      }
    }
    expect(names).toEqual(expect.arrayContaining(['recordChangeTransition', 'recordStepState', 'recordDecision', 'completeChange', 'authorizeImplementation', 'runStep']));
    const audited = await database.db.getRepository(AuditEventEntity).findBy({ entityId: input.changeId, action: 'change.foreign_run_refused' });
    expect(new Set(audited.map((a) => (a.data as { activity: string }).activity))).toEqual(new Set(names));
    expect(await database.db.getRepository(AuditEventEntity).countBy({ entityId: input.changeId, action: 'change.marked_for_attention' })).toBe(1);
    expect((await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id: input.changeId })).state).toBe('submitted');
  });

  it('reminds, escalates, then expires a change nobody decided', async () => {
    const input = await recordedChange();
    const handle = await startRecorded(input, { ...TEST_CHANGE_PROCESS, approvalReminderMs: 1_000, approvalEscalationMs: 2_000, approvalExpiryMs: 3_000 });
    const outcome = await handle.result();
    expect(outcome).toEqual({ changeId: input.changeId, state: 'rejected', reason: 'expired' });
    const notifications = await database.db.getRepository(NotificationEntity).find({ where: { changeId: input.changeId }, order: { id: 'ASC' } });
    expect(notifications.map((n) => [n.kind, n.recipient])).toEqual([
      ['approval_reminder', 'group:team-a'],
      ['approval_escalation', 'group:change-managers'],
    ]);
    const row = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id: input.changeId });
    expect([row.state, row.endReason]).toEqual(['rejected', 'expired']);
  });

  it('refuses a decision after the deadline passed', async () => {
    const input = await recordedChange();
    const handle = await startRecorded(input, { ...TEST_CHANGE_PROCESS, approvalExpiryMs: 60_000 });
    const late = signer.sign({ changeId: input.changeId, planHash: input.planHash, approver: owner, decision: 'approve', comment: 'late', at: new Date(Date.now() + 120_000).toISOString() });
    const refused = await handle.executeUpdate(decideUpdate, { args: [late] }).catch((error: unknown) => error);
    expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toMatch(/^the decision deadline passed at/);
    await handle.terminate('test done');
  });
});
