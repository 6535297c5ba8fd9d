import type { INestApplicationContext } from '@nestjs/common';
import { acknowledgeIncidentUpdate, assignIncidentUpdate, incidentStateQuery, incidentWorkflowDefinition, pendIncidentUpdate, postStakeholderUpdateUpdate, resolveIncidentUpdate, resumeIncidentUpdate, type WorkflowOf } from '@steward/contracts';
import { IncidentEventEntity, IncidentOpeningService } from '@steward/persistence';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestDatabase, eventually, startDevServerSuggestingContinueAsNew, startWorker, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { addEscalationPolicy, addService, TEST_INCIDENT_PROCESS } from '../support/incidents';

/**
 * Incidents can stay open for weeks: a chatty one must continue as new before its history
 * grows too long, carrying its whole state (clocks and pause ledger, commander, escalation
 * progress, event numbering). A dev server of its own suggests continue-as-new after 60 events.
 */
describe('incident workflow: continue-as-new carries the state over', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: INestApplicationContext;
  const taskQueue = uniqueTaskQueue('incident-can');

  beforeAll(async () => {
    [env, database] = await Promise.all([
      startDevServerSuggestingContinueAsNew(60),
      createTestDatabase('incident_can'),
    ]);
    worker = await startWorker(database.url, taskQueue, { temporalAddress: env.address, processes: { incidentProcess: { ...TEST_INCIDENT_PROCESS, stakeholderUpdateMs: { P1: 600_000, P2: 600_000 } } } });
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await env?.teardown();
    await database?.drop();
  });

  it('continues as new under a long history and keeps clocks, command, escalation and event keys', async () => {
    const service = await addService(database.db, 'svc-long-lived', 1, 5000);
    await addEscalationPolicy(database.db, service, [{ targets: ['group:can-l1'], ackTimeoutMs: 600_000 }]);
    const prepared = await worker.get(IncidentOpeningService).prepare({ title: 'Long incident', description: 'd', service, impact: 1, urgency: 1, reportedBy: 'heidi', source: 'api' }, TEST_INCIDENT_PROCESS);
    const handle = await env.client.workflow.start<WorkflowOf<typeof incidentWorkflowDefinition>>(incidentWorkflowDefinition.name, { workflowId: prepared.incident.workflowId, taskQueue, args: [prepared.input] });
    const firstRun = handle.firstExecutionRunId;
    const by = { id: 'judy', name: 'Judy' };

    await handle.executeUpdate(assignIncidentUpdate, { args: [{ by, commander: 'judy', resolvers: ['ivan'] }] });
    await handle.executeUpdate(pendIncidentUpdate, { args: [{ by, reason: 'vendor' }] });
    await handle.executeUpdate(resumeIncidentUpdate, { args: [{ by }] });
    const before = await handle.query(incidentStateQuery);

    // Each update adds about eight events; thirty of them pass the 60-event suggestion more than once.
    for (let i = 1; i <= 30; i++) await handle.executeUpdate(postStakeholderUpdateUpdate, { args: [{ by, message: `update ${i}` }] });

    const described = await eventually(() => env.client.workflow.getHandle(handle.workflowId).describe(), (d) => d.runId !== firstRun, 15_000);
    expect(described.status.name).toBe('RUNNING');

    const after = await handle.query(incidentStateQuery);
    expect(after).toMatchObject({ commander: 'judy', resolvers: ['ivan'], state: 'new', priority: 'P1', escalation: { policy: `policy-${service}`, level: 1 } });
    expect(after.sla.resolution!.pauses).toEqual(before.sla.resolution!.pauses);
    expect(after.sla.resolution!.startedAt).toBe(before.sla.resolution!.startedAt);

    // The continued run goes on with the same process: messages work, nothing is redone.
    await handle.executeUpdate(acknowledgeIncidentUpdate, { args: [{ by }] });
    await handle.executeUpdate(resolveIncidentUpdate, { args: [{ by, resolution: 'done' }] });
    const events = await eventually(
      () => database.db.getRepository(IncidentEventEntity).find({ where: { incidentId: prepared.incident.id }, order: { id: 'ASC' } }),
      (e) => e.some((x) => x.type === 'resolved'),
    );
    expect(events.filter((e) => e.type === 'stakeholder_update')).toHaveLength(30);
    expect(events.filter((e) => e.type === 'opened')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'escalated')).toHaveLength(1);
    const sequences = events.filter((e) => e.type !== 'opened').map((e) => Number(e.eventKey.split(':')[0]));
    expect(new Set(sequences).size).toBe(sequences.length);
  }, 120_000);
});
