import type { INestApplicationContext } from '@nestjs/common';
import { ChangeExecutionActivities } from '@steward/activities';
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
import {
  AuditEventEntity,
  ChangeAuthorizationEntity,
  ChangeEventEntity,
  ChangeRequestEntity,
  ChangeStepEntity,
  ConfigurationItemEntity,
  NotificationEntity,
  computePlanHash,
  insertRows,
} from '@steward/persistence';
import { AuthorizationTokens, StewardKeys } from '@steward/security';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
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
  const taskQueue = uniqueTaskQueue('authorization-guarantee');
  const signer = testDecisionSigner();

  beforeAll(async () => {
    database = await createTestDatabase('authorization_guarantee');
    await insertRows(database.db.manager, ConfigurationItemEntity, [
      Object.assign(new ConfigurationItemEntity(), { key: 'app-guarded', name: 'Guarded', type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null }),
    ]);
    worker = await startWorker(database.url, taskQueue);
    temporal = await temporalClient();
    client = temporal.client;
  });

  afterAll(async () => {
    await worker?.close();
    await temporal?.close();
    await database?.drop();
  });

  /** A change row as a submission writes it, but with no run recorded: the API never started it. */
  async function recordedChange(): Promise<ChangeWorkflowInput> {
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

  async function startByHand(input: ChangeWorkflowInput, settings: ChangeProcessSettings = TEST_CHANGE_PROCESS) {
    const handle = await client.workflow.start<typeof changeWorkflow>('changeWorkflow', { workflowId: changeWorkflowId(input.changeId), taskQueue, args: [{ ...input, settings }] });
    await eventually(() => handle.query(changeStateQuery), (s: ChangeSnapshot) => s.state === 'awaiting_approval');
    return handle;
  }

  const sign = (input: ChangeWorkflowInput, approver = owner) =>
    signer.sign({ changeId: input.changeId, planHash: input.planHash, approver, decision: 'approve', comment: 'looks fine', at: new Date().toISOString() });

  it('does not count a decision whose signature the API never made, by update or by signal', async () => {
    const input = await recordedChange();
    const handle = await startByHand(input);
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
    const handle = await startByHand(input);
    // A genuinely signed decision (say, replayed from another run): the workflow counts it...
    await handle.executeUpdate(decideUpdate, { args: [sign(input)] });
    // ...but the gate authorizes only the run Steward started and recorded on the change.
    const outcome = await handle.result();
    expect(outcome.state).toBe('failed');
    expect(outcome.reason).toMatch(/^authorization refused: .*is not the workflow run Steward started/);
    expect(await database.db.getRepository(ChangeStepEntity).countBy({ changeId: input.changeId })).toBe(0);
    expect(await database.db.getRepository(ChangeAuthorizationEntity).countBy({ changeId: input.changeId })).toBe(0);
    const audit = await database.db.getRepository(AuditEventEntity).findBy({ entityId: input.changeId, action: 'change.authorization_refused' });
    expect(audit).toHaveLength(1);
  });

  it('refuses executors called without, or with a forged, token', async () => {
    const input = await recordedChange();
    const execution = worker.get(ChangeExecutionActivities, { strict: false });
    const forger = new AuthorizationTokens(new StewardKeys('an-attacker-secret-of-sufficient-length-00'));
    const realKeys = new AuthorizationTokens(new StewardKeys(TEST_SIGNING_SECRET));
    const claims = { changeId: input.changeId, planHash: input.planHash, runId: 'any', windowStart: new Date().toISOString(), windowEnd: new Date(Date.now() + 3_600_000).toISOString() };
    const attempts: Array<[string, unknown]> = [
      ['no token', undefined],
      ['garbage', 'not-a-token'],
      ['signed with another key', forger.issue(claims, new Date()).token],
      // Even a token made with the real key is refused when the gate never recorded it.
      ['never issued by the gate', realKeys.issue(claims, new Date()).token],
    ];
    for (const [, token] of attempts) {
      const error = await execution.runStep({ token: token as string, changeId: input.changeId, stepId: 'deploy', phase: 'action' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StewardError);
      expect((error as StewardError).code).toBe('forbidden');
    }
    expect(await database.db.getRepository(ChangeStepEntity).countBy({ changeId: input.changeId })).toBe(0);
  });

  it('reminds, escalates, then expires a change nobody decided', async () => {
    const input = await recordedChange();
    const handle = await startByHand(input, { ...TEST_CHANGE_PROCESS, approvalReminderMs: 1_000, approvalEscalationMs: 2_000, approvalExpiryMs: 3_000 });
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
    const handle = await startByHand(input, { ...TEST_CHANGE_PROCESS, approvalExpiryMs: 60_000 });
    const late = signer.sign({ changeId: input.changeId, planHash: input.planHash, approver: owner, decision: 'approve', comment: 'late', at: new Date(Date.now() + 120_000).toISOString() });
    const refused = await handle.executeUpdate(decideUpdate, { args: [late] }).catch((error: unknown) => error);
    expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toMatch(/^the decision deadline passed at/);
    await handle.terminate('test done');
  });
});
