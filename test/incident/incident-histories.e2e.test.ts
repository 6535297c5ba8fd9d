import type { INestApplicationContext } from '@nestjs/common';
import { acknowledgeIncidentUpdate, assignIncidentUpdate, closeIncidentUpdate, incidentStateQuery, pendIncidentUpdate, postStakeholderUpdateUpdate, resolveIncidentUpdate, resumeIncidentUpdate, reviewIncidentUpdate, type IncidentProcessSettings } from '@steward/contracts';
import { IncidentOpeningService, type OpenIncidentRequest } from '@steward/persistence';
import type { incidentWorkflow } from '@steward/workflows';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestDatabase, eventually, startDevServerSuggestingContinueAsNew, startWorker, temporalClient, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { recordHistories } from '../support/histories';
import { addEscalationPolicy, addService, eventsOf, notificationsFor, TEST_INCIDENT_PROCESS } from '../support/incidents';

/**
 * Two incident paths no other test records for the replay test: an incident that continues as
 * new under a long history and is worked to its close in the next run, and an escalation that
 * runs through every level and every repeat without an acknowledgement. Each test checks what
 * happened before it keeps the histories (with STEWARD_RECORD_HISTORIES=1).
 */
describe('incident histories: continue-as-new and exhausted escalation', () => {
  let tuned: TestWorkflowEnvironment;
  let shared: Awaited<ReturnType<typeof temporalClient>>;
  let database: TestDatabase;
  let tunedWorker: INestApplicationContext;
  let sharedWorker: INestApplicationContext;
  const tunedQueue = uniqueTaskQueue('incident-hist-can');
  const sharedQueue = uniqueTaskQueue('incident-hist-esc');
  // Timers of a major incident far away, so the first run's history is made of the updates alone.
  const quietMajor: IncidentProcessSettings = { ...TEST_INCIDENT_PROCESS, commanderDeadlineMs: 600_000, stakeholderUpdateMs: { P1: 600_000, P2: 600_000 } };
  const judy = { id: 'judy', name: 'Judy' };
  const ivan = { id: 'ivan', name: 'Ivan' };

  beforeAll(async () => {
    [tuned, database, shared] = await Promise.all([
      // A dev server of its own that suggests continue-as-new after 100 events: the first run
      // passes it after a dozen updates, the second run closes well before it.
      startDevServerSuggestingContinueAsNew(100),
      createTestDatabase('incident_hist'),
      temporalClient(),
    ]);
    // The escalation runs on the run's shared server, which never suggests continue-as-new this early.
    [tunedWorker, sharedWorker] = await Promise.all([startWorker(database.url, tunedQueue, { temporalAddress: tuned.address }), startWorker(database.url, sharedQueue)]);
  }, 120_000);

  afterAll(async () => {
    await tunedWorker?.close();
    await sharedWorker?.close();
    await shared?.close();
    await tuned?.teardown();
    await database?.drop();
  });

  const open = async (client: Client, taskQueue: string, request: Omit<OpenIncidentRequest, 'title' | 'description' | 'reportedBy' | 'source'>, settings: IncidentProcessSettings) => {
    const prepared = await tunedWorker.get(IncidentOpeningService).prepare({ title: 'Checkout failing', description: 'HTTP 502 on /pay', reportedBy: 'heidi', source: 'api', ...request }, settings);
    const handle = await client.workflow.start<typeof incidentWorkflow>('incidentWorkflow', { workflowId: prepared.incident.workflowId, taskQueue, args: [prepared.input] });
    return { id: prepared.incident.id, handle };
  };

  it('continues a long major incident as new and works it to its close in the next run', async () => {
    const service = await addService(database.db, 'svc-hist-long', 1, 5000);
    await addEscalationPolicy(database.db, service, [{ targets: ['group:hist-long-l1'], ackTimeoutMs: 600_000 }]);
    const { id, handle } = await open(tuned.client, tunedQueue, { service, impact: 1, urgency: 1 }, quietMajor);
    const firstRun = handle.firstExecutionRunId;

    await handle.executeUpdate(assignIncidentUpdate, { args: [{ by: judy, commander: 'judy', resolvers: ['ivan'] }] });
    await handle.executeUpdate(pendIncidentUpdate, { args: [{ by: judy, reason: 'waiting for the payment provider' }] });
    await handle.executeUpdate(resumeIncidentUpdate, { args: [{ by: judy }] });
    const before = await handle.query(incidentStateQuery);

    // Stakeholder updates until the server suggests continue-as-new and the run hands over.
    let posted = 0;
    let runId = firstRun;
    while (runId === firstRun && posted < 40) {
      posted += 1;
      await handle.executeUpdate(postStakeholderUpdateUpdate, { args: [{ by: judy, message: `update ${posted}` }] });
      runId = (await tuned.client.workflow.getHandle(handle.workflowId).describe()).runId;
    }
    expect(runId).not.toBe(firstRun);
    const firstRunEnd = await tuned.client.workflow.getHandle(handle.workflowId, firstRun).describe();
    expect(firstRunEnd.status.name).toBe('CONTINUED_AS_NEW');

    // The next run holds what the first one knew: command, team, the clocks and their pause ledger.
    const carried = await handle.query(incidentStateQuery);
    expect(carried).toMatchObject({ state: 'new', priority: 'P1', major: true, commander: 'judy', resolvers: ['ivan'], escalation: { level: 1, round: 1, exhausted: false }, problemId: null });
    expect(carried.sla.resolution!.pauses).toEqual(before.sla.resolution!.pauses);
    expect(carried.sla.resolution!.pauses).toHaveLength(1);
    expect(carried.sla.response!.startedAt).toBe(before.sla.response!.startedAt);

    // ... and goes on: acknowledged, resolved (which opens a problem), reviewed, closed.
    await handle.executeUpdate(acknowledgeIncidentUpdate, { args: [{ by: ivan }] });
    await handle.executeUpdate(resolveIncidentUpdate, { args: [{ by: ivan, resolution: 'Rolled the pool size back' }] });
    const resolved = await eventually(() => handle.query(incidentStateQuery), (s) => s.problemId !== null);
    expect(resolved).toMatchObject({ state: 'resolved', reviewRequired: true, acknowledgedBy: 'ivan' });
    await handle.executeUpdate(reviewIncidentUpdate, {
      args: [
        {
          by: judy,
          review: {
            timeline: [{ at: new Date().toISOString(), event: 'Checkout failing' }],
            impact: 'Checkout refused for some customers',
            contributingFactors: ['Pool default lowered by the driver upgrade'],
            whatWentWell: ['Fast rollback'],
            actions: [{ title: 'Alert on pool saturation', owner: 'erin', dueDate: '2026-12-31' }],
          },
        },
      ],
    });
    await handle.executeUpdate(closeIncidentUpdate, { args: [{ by: judy }] });
    expect(await handle.result()).toEqual({ state: 'closed', problemId: resolved.problemId });
    const lastRun = (await tuned.client.workflow.getHandle(handle.workflowId).describe()).runId;
    expect(lastRun).toBe(runId);

    // Every fact once, numbered on across the runs.
    const events = await eventsOf(database.db, id);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect([count('opened'), count('assigned'), count('escalated'), count('stakeholder_update'), count('resolved'), count('problem_linked'), count('review_recorded'), count('closed')]).toEqual([1, 1, 1, posted, 1, 1, 1, 1]);
    const sequences = events.filter((e) => e.type !== 'opened').map((e) => Number(e.eventKey.split(':')[0]));
    expect(new Set(sequences).size).toBe(sequences.length);

    await recordHistories(tuned.client, {
      'incident-continued-as-new': { workflowId: handle.workflowId, runId: firstRun },
      'incident-continued-run-reviewed-closed': { workflowId: handle.workflowId, runId: lastRun },
    });
  }, 120_000);

  it('runs every level of every repeat, records the exhaustion once, and still takes a late acknowledgement', async () => {
    const service = await addService(database.db, 'svc-hist-exhausted');
    await addEscalationPolicy(
      database.db,
      service,
      [
        { targets: ['group:hist-exh-l1'], ackTimeoutMs: 700 },
        { targets: ['group:hist-exh-l2'], ackTimeoutMs: 700 },
      ],
      1,
    );
    const { id, handle } = await open(shared.client, sharedQueue, { service, impact: 2, urgency: 3 }, TEST_INCIDENT_PROCESS);

    await eventually(() => eventsOf(database.db, id), (e) => e.some((x) => x.type === 'escalation_exhausted'), 20_000);
    const exhausted = await handle.query(incidentStateQuery);
    expect(exhausted).toMatchObject({ state: 'new', priority: 'P4', acknowledgedBy: null, escalation: { policy: `policy-${service}`, version: 1, level: 2, round: 2, exhausted: true } });
    for (const group of ['group:hist-exh-l1', 'group:hist-exh-l2']) {
      await eventually(() => notificationsFor(database.db, group, 'incident_escalated'), (n) => n.length === 2);
    }

    await handle.executeUpdate(acknowledgeIncidentUpdate, { args: [{ by: ivan }] });
    await handle.executeUpdate(resolveIncidentUpdate, { args: [{ by: ivan, resolution: 'Restarted the gateway' }] });
    await handle.executeUpdate(closeIncidentUpdate, { args: [{ by: ivan }] });
    expect(await handle.result()).toEqual({ state: 'closed', problemId: null });

    // The run is over: these are all the escalations it will ever make.
    const events = await eventsOf(database.db, id);
    expect(events.filter((e) => e.type === 'escalated').map((e) => e.data)).toEqual([
      { level: 1, round: 1, targets: ['group:hist-exh-l1'] },
      { level: 2, round: 1, targets: ['group:hist-exh-l2'] },
      { level: 1, round: 2, targets: ['group:hist-exh-l1'] },
      { level: 2, round: 2, targets: ['group:hist-exh-l2'] },
    ]);
    expect(events.filter((e) => e.type === 'escalation_exhausted').map((e) => e.data)).toEqual([{ policy: `policy-${service}@1` }]);
    const types = events.map((e) => e.type);
    expect(types.indexOf('acknowledged')).toBeGreaterThan(types.indexOf('escalation_exhausted'));
    expect(types.slice(-1)).toEqual(['closed']);

    await recordHistories(shared.client, { 'incident-escalation-exhausted-then-closed': handle.workflowId });
  }, 60_000);
});
