import type { INestApplicationContext } from '@nestjs/common';
import { ChangeActivities, ChangeExecutionActivities } from '@steward/activities';
import { changeStateQuery, changeWorkflowId, completeStepUpdate, decideUpdate, type ChangeSnapshot, type ChangeWorkflowInput, type PlanStep } from '@steward/contracts';
import { formatChangeId } from '@steward/domain';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import {
  AuditEventEntity,
  ChangeEventEntity,
  ChangeExecutionEntity,
  ChangeRequestEntity,
  ChangeStepEntity,
  ConfigurationItemEntity,
  insertRows,
} from '@steward/persistence';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { changeWorkflow } from '@steward/workflows';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import { startRecordedChange } from '../support/fixtures';
import { TEST_CHANGE_PROCESS, createTestDatabase, testDecisionSigner, eventually, startWorker, temporalClient, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { readChangeHistory } from '../security/support/change-history';

/** A deployment target that counts calls, keeps their headers, and can hold answers back. */
async function startHoldingTarget() {
  const calls: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  const held: ServerResponse[] = [];
  let holding = false;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls.push({ path: req.url ?? '/', headers: req.headers });
      if (holding) held.push(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const release = () => {
    holding = false;
    for (const res of held.splice(0)) if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  };
  return {
    base: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    calls,
    count: (prefix: string) => calls.filter((c) => c.path.startsWith(prefix)).length,
    hold: () => (holding = true),
    release,
    close: () => {
      release();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const owner = { id: 'olga', name: 'Olga', roles: ['cab_member'], groups: ['team-a'] };

/**
 * The execution ledger on the real worker, database and Temporal server: each step's action and
 * rollback run at most once, a retry after the answer gets the record, a claim left open by a
 * worker that died mid-call is finished with the same Idempotency-Key, a rollback runs only
 * while rolling back and only for a claimed action. Calls "as the recorded run" run the worker's
 * activity in that run's activity context, as the activity's own retry would.
 */
describe('execution ledger', () => {
  let database: TestDatabase;
  let target: Awaited<ReturnType<typeof startHoldingTarget>>;
  let worker: INestApplicationContext;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let client: Client;
  const taskQueue = uniqueTaskQueue('execution-ledger');
  const signer = testDecisionSigner();

  beforeAll(async () => {
    database = await createTestDatabase('execution_ledger');
    target = await startHoldingTarget();
    await insertRows(database.db.manager, ConfigurationItemEntity, [
      Object.assign(new ConfigurationItemEntity(), { key: 'app-ledger', name: 'Ledger', type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null }),
    ]);
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

  const http = (id: string): PlanStep => ({
    id,
    name: id,
    kind: 'automated',
    action: { executor: 'http', url: `${target.base}/${id}`, method: 'POST' },
    rollback: { executor: 'http', url: `${target.base}/${id}-rollback`, method: 'POST' },
    estimatedMinutes: 5,
  });
  const manual = (id: string): PlanStep => ({ id, name: id, kind: 'manual', action: { instructions: 'by hand' }, rollback: { instructions: 'undo by hand' }, estimatedMinutes: 5 });

  /** A change row as the API writes it, its workflow started and recorded, approved by its owner group. */
  async function approvedChange(steps: PlanStep[]): Promise<{ id: string; handle: WorkflowHandle<typeof changeWorkflow>; row: () => Promise<ChangeRequestEntity> }> {
    const [{ number }] = (await database.db.query(`SELECT nextval('change_request_number_seq')::int AS number`)) as Array<{ number: number }>;
    const id = formatChangeId(number);
    const planHash = computePlanHash({ steps }, 'redeploy');
    await database.db.getRepository(ChangeRequestEntity).save(
      database.db.getRepository(ChangeRequestEntity).create({
        id, number, title: 'Ledger change', description: 'd', type: 'normal', justification: 'j', ciKeys: ['app-ledger'],
        plan: { steps }, planHash, backoutPlan: 'redeploy', testEvidence: 'green', state: 'submitted', requesterId: 'alice', requesterName: 'Alice', workflowId: changeWorkflowId(id),
      }),
    );
    const input: ChangeWorkflowInput = { changeId: id, type: 'normal', title: 'Ledger change', requester: { id: 'alice', name: 'Alice' }, ciKeys: ['app-ledger'], planHash, steps, settings: TEST_CHANGE_PROCESS };
    const handle = await startRecordedChange(client, database.db, input, taskQueue);
    await eventually(() => handle.query(changeStateQuery), (s: ChangeSnapshot) => s.state === 'awaiting_approval');
    await handle.executeUpdate(decideUpdate, { args: [signer.sign({ changeId: id, planHash, approver: owner, decision: 'approve', comment: 'ok', at: new Date().toISOString() })] });
    return { id, handle, row: () => database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id }) };
  }

  const stepOf = (handle: WorkflowHandle, stepId: string) => async () => (await handle.query(changeStateQuery)).steps.find((s) => s.id === stepId)?.state;
  const ledgerOf = (changeId: string) => database.db.getRepository(ChangeExecutionEntity).find({ where: { changeId }, order: { id: 'ASC' } });
  const asRecordedRun = async (row: () => Promise<ChangeRequestEntity>, activityType: string) => {
    const change = await row();
    return new MockActivityEnvironment({ workflowExecution: { workflowId: change.workflowId, runId: change.workflowRunId! }, activityType });
  };
  const outcomeOf = (promise: Promise<unknown>) => promise.then((value) => value, (error: { code?: string; message: string }) => `${error.code}: ${error.message}`);

  it('answers a retry after the executor answered from the record, refuses to re-open the step or leave the lifecycle, and rolls back once', async () => {
    const { id, handle, row } = await approvedChange([http('deploy'), manual('verify'), http('later')]);
    await eventually(stepOf(handle, 'verify'), (state) => state === 'waiting', 30_000);
    expect(target.count('/deploy')).toBe(1);
    const { token, runId } = await readChangeHistory(client, changeWorkflowId(id));
    const execution = worker.get(ChangeExecutionActivities, { strict: false });
    const records = worker.get(ChangeActivities, { strict: false });
    const [claim] = await ledgerOf(id);
    expect(claim).toMatchObject({ stepId: 'deploy', phase: 'action', runId, outcome: 'succeeded', idempotencyKey: expect.stringMatching(new RegExp(`^${id}:deploy:action:`)) });
    expect(target.calls[0].headers['idempotency-key']).toBe(claim.idempotencyKey);

    // The activity retried after the executor answered (its completion was lost): the record.
    const retried = await (await asRecordedRun(row, 'runStep')).run(() => execution.runStep({ token, changeId: id, stepId: 'deploy', phase: 'action' }));
    expect(retried).toEqual({ outcome: 'succeeded', detail: claim.detail });
    expect(target.count('/deploy')).toBe(1);

    // A late `running` cannot re-open the finished step, so nothing forgets that it ran.
    const reopened = await outcomeOf((await asRecordedRun(row, 'recordStepState')).run(() => records.recordStepState({ changeId: id, stepId: 'deploy', state: 'running' })));
    expect(reopened).toBe(`conflict: step deploy of ${id} is succeeded: it cannot become running`);
    expect(await database.db.getRepository(ChangeStepEntity).findOneByOrFail({ changeId: id, stepId: 'deploy' })).toMatchObject({ state: 'succeeded', endedAt: expect.any(Date) });

    // A transition the lifecycle does not have from the stored state is refused...
    const skipped = await outcomeOf(
      (await asRecordedRun(row, 'recordChangeTransition')).run(() =>
        records.recordChangeTransition({ changeId: id, sequence: 99, transition: { from: 'implementing', to: 'completed', at: new Date().toISOString(), actor: 'steward' } }),
      ),
    );
    expect(skipped).toBe(`conflict: change ${id} cannot move from implementing to completed`);
    expect((await audit(id, 'change.transition_refused')).map((e) => e.data)).toEqual([expect.objectContaining({ stored: 'implementing', to: 'completed', sequence: 99 })]);
    // ...while the re-delivery of one already recorded is accepted and moves nothing.
    const transitions = await database.db.getRepository(ChangeEventEntity).find({ where: { changeId: id, type: 'state_changed' } });
    const recorded = transitions.find((e) => e.data.to === 'implementing')!;
    await (await asRecordedRun(row, 'recordChangeTransition')).run(() =>
      records.recordChangeTransition({ changeId: id, sequence: Number(recorded.eventKey.split(':')[1]), transition: { from: 'scheduled', to: 'implementing', at: recorded.at.toISOString(), actor: 'steward' } }),
    );
    expect((await row()).state).toBe('implementing');

    // No rollback while implementing.
    const early = await outcomeOf((await asRecordedRun(row, 'runStep')).run(() => execution.runStep({ token, changeId: id, stepId: 'deploy', phase: 'rollback' })));
    expect(early).toBe(`forbidden: change ${id} is implementing, not rolling back: no rollback may run`);
    expect(target.count('/deploy-rollback')).toBe(0);

    // The manual step fails: the change rolls back; the target holds the rollback's answer.
    target.hold();
    await handle.executeUpdate(completeStepUpdate, { args: [{ actor: { id: 'erin', name: 'Erin' }, stepId: 'verify', outcome: 'failed', notes: 'dashboard red' }] });
    await eventually(async () => target.count('/deploy-rollback'), (n) => n === 1, 30_000);
    expect((await row()).state).toBe('rolling_back');
    // While rolling back: no rollback of a step whose action never ran, and no new action.
    const never = await outcomeOf((await asRecordedRun(row, 'runStep')).run(() => execution.runStep({ token, changeId: id, stepId: 'later', phase: 'rollback' })));
    expect(never).toBe('forbidden: the action of step later never ran: there is nothing to roll back');
    const action = await outcomeOf((await asRecordedRun(row, 'runStep')).run(() => execution.runStep({ token, changeId: id, stepId: 'later', phase: 'action' })));
    expect(action).toBe(`forbidden: change ${id} is rolling_back: no step may be executed`);
    target.release();
    await expect(handle.result()).resolves.toMatchObject({ state: 'rolled_back' });

    // The rollback ran once; asked again, it answers from the record.
    const again = await (await asRecordedRun(row, 'runStep')).run(() => execution.runStep({ token, changeId: id, stepId: 'deploy', phase: 'rollback' }));
    expect(again).toMatchObject({ outcome: 'succeeded' });
    expect(target.count('/deploy-rollback')).toBe(1);
    expect(target.count('/later')).toBe(0);
    expect((await ledgerOf(id)).map((e) => [e.stepId, e.phase, e.outcome])).toEqual([
      ['deploy', 'action', 'succeeded'],
      ['deploy', 'rollback', 'succeeded'],
    ]);
    // The database itself refuses to rewrite or withdraw a claim (asked directly, as someone with
    // the application's database rights would).
    const sql = new PgClient({ connectionString: database.url });
    await sql.connect();
    try {
      await expect(sql.query(`UPDATE change_execution SET outcome = NULL, finished_at = NULL WHERE change_id = $1`, [id])).rejects.toThrow(/only takes its outcome, once/);
      await expect(sql.query(`DELETE FROM change_execution WHERE change_id = $1`, [id])).rejects.toThrow(/never deleted/);
    } finally {
      await sql.end();
    }
  }, 180_000);

  it('finishes a claim left open by a worker that died mid-call with the same Idempotency-Key, and never calls again', async () => {
    const { id, handle, row } = await approvedChange([manual('prepare'), http('migrate')]);
    await eventually(stepOf(handle, 'prepare'), (state) => state === 'waiting', 30_000);
    const { token } = await readChangeHistory(client, changeWorkflowId(id));
    const execution = worker.get(ChangeExecutionActivities, { strict: false });

    // Attempt 1 of the recorded run's activity: claimed, called, and the worker dies before the answer.
    target.hold();
    const dying = await asRecordedRun(row, 'runStep');
    const first = outcomeOf(dying.run(() => execution.runStep({ token, changeId: id, stepId: 'migrate', phase: 'action' })));
    await eventually(async () => target.count('/migrate'), (n) => n === 1);
    dying.cancel();
    await first;
    const [open] = await ledgerOf(id);
    expect(open).toMatchObject({ stepId: 'migrate', phase: 'action', outcome: null, finishedAt: null });
    target.release();

    // Attempt 2 (the activity's retry): the same key, and the outcome is recorded.
    const retried = await (await asRecordedRun(row, 'runStep')).run(() => execution.runStep({ token, changeId: id, stepId: 'migrate', phase: 'action' }));
    expect((retried as { outcome: string }).outcome).toBe('succeeded');
    expect(target.count('/migrate')).toBe(2);
    expect(target.calls.filter((c) => c.path === '/migrate').map((c) => c.headers['idempotency-key'])).toEqual([open.idempotencyKey, open.idempotencyKey]);
    expect((await ledgerOf(id))[0]).toMatchObject({ outcome: 'succeeded', finishedAt: expect.any(Date) });
    expect((await audit(id, 'change.step_executed')).map((e) => e.data)).toEqual([expect.objectContaining({ stepId: 'migrate', resumed: true, idempotencyKey: open.idempotencyKey })]);

    // The workflow reaches the step later: it gets the record, the target no third call.
    await handle.executeUpdate(completeStepUpdate, { args: [{ actor: { id: 'erin', name: 'Erin' }, stepId: 'prepare', outcome: 'succeeded', notes: 'done' }] });
    await expect(handle.result()).resolves.toMatchObject({ state: 'completed' });
    expect(target.count('/migrate')).toBe(2);
  }, 180_000);

  const audit = (changeId: string, action: string) => database.db.getRepository(AuditEventEntity).find({ where: { entityId: changeId, action }, order: { seq: 'ASC' } });
});
