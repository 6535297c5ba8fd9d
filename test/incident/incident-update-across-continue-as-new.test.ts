import type { INestApplicationContext } from '@nestjs/common';
import { assignIncidentUpdate, incidentStateQuery, postStakeholderUpdateUpdate } from '@steward/contracts';
import { IncidentOpeningService } from '@steward/persistence';
import type { incidentWorkflow } from '@steward/workflows';
import { WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { QueryRunner } from 'typeorm';
import { createTestDatabase, eventually, startDevServerSuggestingContinueAsNew, startWorker, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { addEscalationPolicy, addService, eventsOf, TEST_INCIDENT_PROCESS } from '../support/incidents';

const SUGGEST_AFTER = 60;

/**
 * An update accepted while the incident has already decided to continue as new (its handler
 * still waiting on the activity that records its fact) must finish in the old run: its caller
 * gets the answer, its fact is recorded, and the next run starts from the state it left.
 *
 * The recording activity is held back by a lock the test takes on the incident event table, so
 * the updates stay in flight for as long as the test needs, on the real server and database.
 */
describe('incident workflow: an update in flight across continue-as-new', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: INestApplicationContext;
  const taskQueue = uniqueTaskQueue('incident-can-update');

  beforeAll(async () => {
    [env, database] = await Promise.all([
      startDevServerSuggestingContinueAsNew(SUGGEST_AFTER),
      createTestDatabase('incident_can_update'),
    ]);
    worker = await startWorker(database.url, taskQueue, { temporalAddress: env.address });
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await env?.teardown();
    await database?.drop();
  });

  const history = async (handle: WorkflowHandle) => (await handle.fetchHistory()).events ?? [];
  const continueAsNewSuggested = async (handle: WorkflowHandle) =>
    (await history(handle)).some((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && e.workflowTaskStartedEventAttributes?.suggestContinueAsNew);

  /** Holds every write of an incident fact until released; reads go on. */
  const holdFactWrites = async (): Promise<QueryRunner> => {
    const runner = database.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query('LOCK TABLE incident_event IN EXCLUSIVE MODE');
    return runner;
  };
  const release = async (runner: QueryRunner) => {
    if (runner.isTransactionActive) await runner.commitTransaction();
    if (!runner.isReleased) await runner.release();
  };

  it('answers the update, records its fact and carries its effect into the next run', async () => {
    const service = await addService(database.db, 'svc-can-update');
    await addEscalationPolicy(database.db, service, [{ targets: ['group:can-update-l1'], ackTimeoutMs: 600_000 }]);
    const prepared = await worker.get(IncidentOpeningService).prepare({ title: 'Slow checkout', description: 'd', service, impact: 2, urgency: 3, reportedBy: 'heidi', source: 'api' }, TEST_INCIDENT_PROCESS);
    const handle = await env.client.workflow.start<typeof incidentWorkflow>('incidentWorkflow', { workflowId: prepared.incident.workflowId, taskQueue, args: [prepared.input] });
    const firstRun = handle.firstExecutionRunId;
    const by = { id: 'judy', name: 'Judy' };

    // The opening is written and the first level paged before the history is brought near the limit.
    await eventually(() => eventsOf(database.db, prepared.incident.id), (e) => e.some((x) => x.type === 'escalated'));
    await eventually(() => handle.describe(), (d) => (d.raw.pendingActivities ?? []).length === 0);
    let posted = 0;
    while ((await history(handle)).length < SUGGEST_AFTER - 20) {
      posted += 1;
      await handle.executeUpdate(postStakeholderUpdateUpdate, { args: [{ by, message: `update ${posted}` }] });
    }
    expect(await continueAsNewSuggested(handle)).toBe(false);

    const lock = await holdFactWrites();
    try {
      // Updates whose facts cannot be written yet, until the server suggests continue-as-new:
      // from that workflow task on, the workflow is on its way to hand over to a new run.
      const held = [];
      while (!(await continueAsNewSuggested(handle))) {
        expect(held.length).toBeLessThan(8);
        posted += 1;
        held.push(await handle.startUpdate(postStakeholderUpdateUpdate, { args: [{ by, message: `update ${posted}` }], waitForStage: WorkflowUpdateStage.ACCEPTED }));
      }
      // The update this test is about arrives after that decision.
      const late = await handle.startUpdate(assignIncidentUpdate, { args: [{ by, commander: 'judy', resolvers: ['ivan'] }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      expect((await handle.describe()).runId).toBe(firstRun);

      await release(lock);
      const answer = await late.result();
      expect(answer).toMatchObject({ commander: 'judy', resolvers: ['ivan'] });
      for (const update of held) expect(await update.result()).toMatchObject({ state: 'new' });
    } finally {
      await release(lock);
    }

    const next = await eventually(() => env.client.workflow.getHandle(handle.workflowId).describe(), (d) => d.runId !== firstRun);
    expect(next.status.name).toBe('RUNNING');
    expect((await env.client.workflow.getHandle(handle.workflowId, firstRun).describe()).status.name).toBe('CONTINUED_AS_NEW');
    expect(await handle.query(incidentStateQuery)).toMatchObject({ commander: 'judy', resolvers: ['ivan'], state: 'new' });

    const events = await eventually(
      () => eventsOf(database.db, prepared.incident.id),
      (e) => e.filter((x) => x.type === 'stakeholder_update').length === posted && e.some((x) => x.type === 'assigned'),
    );
    expect(events.filter((e) => e.type === 'assigned').map((e) => e.data)).toEqual([{ commander: 'judy', resolvers: ['ivan'] }]);
  }, 120_000);
});
