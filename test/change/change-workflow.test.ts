import type { INestApplicationContext } from '@nestjs/common';
import { cancelChangeUpdate, changeStateQuery, changeWorkflowId, type ChangeSnapshot, type PlanStep } from '@steward/contracts';
import { ChangeEventEntity, ChangeExecutionEntity, ChangeRequestEntity, ChangeStepEntity } from '@steward/persistence';
import { WorkflowFailedError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { changeWorkflow } from '@steward/workflows';
import { insertChange, startRecordedChange } from '../support/fixtures';
import { TEST_CHANGE_PROCESS, createTestDatabase, eventually, startWorker, temporalClient, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startCountingTarget, type CountingTarget } from '../security/support/counting-target';

/** The change workflow on the real dev server, with its activities on a real database. */
describe('change workflow', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let client: Client;
  /** The deployment target of every http step in this file: a call to it is an execution. */
  let target: CountingTarget;
  const taskQueue = uniqueTaskQueue('change-workflow');

  beforeAll(async () => {
    database = await createTestDatabase('change_workflow');
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

  async function startChange(): Promise<{ handle: WorkflowHandle<typeof changeWorkflow>; changeId: string }> {
    const input = await insertChange(database.db);
    const handle = await startRecordedChange(client, database.db, input, taskQueue);
    return { handle, changeId: input.changeId };
  }

  const awaitingApproval = (handle: WorkflowHandle) =>
    eventually(() => handle.query(changeStateQuery), (s: ChangeSnapshot) => s.state === 'awaiting_approval');

  it('assesses a submitted change and waits for approval, recording each move', async () => {
    const { handle, changeId } = await startChange();
    const snapshot = await awaitingApproval(handle);
    expect(snapshot.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['submitted->assessing', 'assessing->awaiting_approval']);

    const row = await eventually(
      () => database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id: changeId }),
      (r) => r.state === 'awaiting_approval',
    );
    expect(row.workflowId).toBe(`change-${changeId}`);
    const events = await database.db.getRepository(ChangeEventEntity).find({ where: { changeId, type: 'state_changed' }, order: { id: 'ASC' } });
    expect(events.map((e) => [e.eventKey, e.data])).toEqual([
      ['transition:1', { from: 'submitted', to: 'assessing' }],
      ['transition:2', { from: 'assessing', to: 'awaiting_approval' }],
    ]);
  });

  it('is cancelled by an update, ends, and records who cancelled and why', async () => {
    const { handle, changeId } = await startChange();
    await awaitingApproval(handle);
    const after = await handle.executeUpdate(cancelChangeUpdate, { args: [{ actor: { id: 'alice', name: 'Alice' }, reason: 'superseded' }] });
    expect(after.state).toBe('cancelled');
    await expect(handle.result()).resolves.toEqual({ changeId, state: 'cancelled', reason: 'superseded' });

    const row = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id: changeId });
    expect(row.state).toBe('cancelled');
    const last = await database.db.getRepository(ChangeEventEntity).findOneOrFail({ where: { changeId }, order: { id: 'DESC' } });
    expect(last).toMatchObject({ actor: 'alice', data: { from: 'awaiting_approval', to: 'cancelled', reason: 'superseded' } });
  });

  it('accepts a cancel that arrives before the workflow has made its first move', async () => {
    for (let i = 0; i < 5; i += 1) {
      const { handle, changeId } = await startChange();
      const after = await handle.executeUpdate(cancelChangeUpdate, { args: [{ actor: { id: 'dave', name: 'Dave' }, reason: 'race' }] });
      expect(after.state).toBe('cancelled');
      await expect(handle.result()).resolves.toMatchObject({ changeId, state: 'cancelled' });
      const row = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id: changeId });
      expect(row.state).toBe('cancelled');
    }
  });

  it('rejects a cancel without a reason in the validator, leaving the change as it was', async () => {
    const { handle } = await startChange();
    await awaitingApproval(handle);
    const refusal = await handle
      .executeUpdate(cancelChangeUpdate, { args: [{ actor: { id: 'alice', name: 'Alice' }, reason: '  ' }] })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((refusal as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('invalid');
    expect((await handle.query(changeStateQuery)).state).toBe('awaiting_approval');
    await handle.terminate('test cleanup');
  });

  it('executes nothing for a workflow started by hand for a change Steward never recorded', async () => {
    // A standard change needs no vote: had anything let this run through, it would go straight
    // to implementation and call the target.
    const http = (id: string): PlanStep => ({
      id,
      name: `step ${id}`,
      kind: 'automated',
      action: { executor: 'http', url: `${target.base}/forged/${id}`, method: 'POST' },
      rollback: { executor: 'http', url: `${target.base}/forged/${id}/rollback`, method: 'POST' },
      estimatedMinutes: 1,
    });
    const handle = await client.workflow.start<typeof changeWorkflow>('changeWorkflow', {
      workflowId: changeWorkflowId('CHG-999999'),
      taskQueue,
      args: [{ changeId: 'CHG-999999', type: 'standard', title: 'forged', requester: { id: 'mallory', name: 'M' }, ciKeys: ['svc-payments'], planHash: 'f'.repeat(64), steps: [http('deploy'), http('migrate')], settings: TEST_CHANGE_PROCESS }],
    });
    const failure = await handle.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect(((cause as ActivityFailure).cause as ApplicationFailure).type).toBe('not_found');
    // The run never asked for a step to be executed, and the target heard nothing.
    const scheduled = (await handle.fetchHistory()).events?.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).not.toContain('runStep');
    expect(target.count('/forged/')).toBe(0);
    expect(await database.db.getRepository(ChangeExecutionEntity).countBy({ changeId: 'CHG-999999' })).toBe(0);
    expect(await database.db.getRepository(ChangeStepEntity).countBy({ changeId: 'CHG-999999' })).toBe(0);
    expect(await database.db.getRepository(ChangeRequestEntity).countBy({ id: 'CHG-999999' })).toBe(0);
  });
});
