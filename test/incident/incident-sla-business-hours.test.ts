import type { INestApplicationContext } from '@nestjs/common';
import { acknowledgeIncidentUpdate, incidentStateQuery, pendIncidentUpdate, resumeIncidentUpdate, incidentWorkflowDefinition, type IncidentWorkflowInput, type WorkflowOf } from '@steward/contracts';
import { STANDARD_BUSINESS_CALENDAR, addBusinessMs, businessMsBetween, HOUR_MS, BUSINESS_DAY_MS } from '@steward/domain';
import { IncidentEntity, IncidentEventEntity, IncidentOpeningService } from '@steward/persistence';
import { resolveTimeSkippingServer, stewardDataConverter, toSdkExecutable } from '@steward/temporal';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestDatabase, startWorker, testPayloadCodec, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { addService, TEST_INCIDENT_PROCESS } from '../support/incidents';
import { workflowSettled } from '../support/workflow-facts';

/**
 * Business-hours and multi-day SLA clocks on the time-skipping server: days of server time pass
 * in seconds, the real worker records the facts in the real database, and the breach instants
 * must be the ones the business calendar gives, not the wall-clock ones.
 */
describe('SLA clocks over business hours and days (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: INestApplicationContext;
  const taskQueue = uniqueTaskQueue('incident-sla-ts');

  beforeAll(async () => {
    [env, database] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: toSdkExecutable(resolveTimeSkippingServer()) }, client: { dataConverter: stewardDataConverter(testPayloadCodec()) } }),
      createTestDatabase('incident_sla_ts'),
    ]);
    worker = await startWorker(database.url, taskQueue, { temporalAddress: env.address, processes: { incidentProcess: TEST_INCIDENT_PROCESS } });
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await env?.teardown();
    await database?.drop();
  });

  /** Opens an incident the way the API does, its clocks starting at the server's "now". */
  async function openIncident(service: string, impact: number, urgency: number): Promise<{ id: string; openedAt: Date; handle: ReturnType<typeof env.client.workflow.getHandle> }> {
    const prepared = await worker.get(IncidentOpeningService).prepare({ title: 'Slow reports', description: 'd', service, impact, urgency, reportedBy: 'heidi', source: 'api' }, TEST_INCIDENT_PROCESS);
    const openedAt = new Date(await env.currentTimeMs());
    const input: IncidentWorkflowInput = { ...prepared.input, openedAt: openedAt.toISOString() };
    const handle = await env.client.workflow.start<WorkflowOf<typeof incidentWorkflowDefinition>>(incidentWorkflowDefinition.name, { workflowId: prepared.incident.workflowId, taskQueue, args: [input] });
    return { id: prepared.incident.id, openedAt, handle };
  }

  const breaches = async (id: string) =>
    (await database.db.getRepository(IncidentEventEntity).find({ where: { incidentId: id, type: 'sla_breached' }, order: { id: 'ASC' } })).map((e) => ({ target: e.data.target, at: e.at.getTime() }));

  it('breaches a P3 response after 4 business hours and its resolution after 3 business days, on the calendar', async () => {
    const service = await addService(database.db, 'svc-business-hours-p3', 3, 10);
    const { id, openedAt, handle } = await openIncident(service, 2, 2);
    expect((await database.db.getRepository(IncidentEntity).findOneByOrFail({ id })).priority).toBe('P3');

    await env.sleep('10 days');
    // Every timer due by then has fired and what it led to is recorded: no more breaches to come.
    await workflowSettled(handle, { timersDueBy: await env.currentTimeMs() });

    const expectedResponse = addBusinessMs(STANDARD_BUSINESS_CALENDAR, openedAt, 4 * HOUR_MS).getTime();
    const expectedResolution = addBusinessMs(STANDARD_BUSINESS_CALENDAR, openedAt, 3 * BUSINESS_DAY_MS).getTime();
    const recorded = await breaches(id);
    expect(recorded.map((b) => b.target)).toEqual(['response', 'resolution']);
    // Durable timers fire at their instant, to the second (the server's granularity).
    expect(Math.abs(recorded[0].at - expectedResponse)).toBeLessThan(2_000);
    expect(Math.abs(recorded[1].at - expectedResolution)).toBeLessThan(2_000);
    // Three business days are at least three calendar days, more across a weekend.
    expect(recorded[1].at - openedAt.getTime()).toBeGreaterThanOrEqual(3 * 24 * HOUR_MS - 16 * HOUR_MS);
    const businessElapsed = businessMsBetween(STANDARD_BUSINESS_CALENDAR, openedAt, new Date(recorded[1].at));
    expect(businessElapsed).toBeGreaterThanOrEqual(3 * BUSINESS_DAY_MS);
    expect(businessElapsed).toBeLessThan(3 * BUSINESS_DAY_MS + 2_000);
  }, 120_000);

  it('moves the resolution due date by the business time spent pending, over days', async () => {
    const service = await addService(database.db, 'svc-business-hours-pause', 3, 10);
    const { id, openedAt, handle } = await openIncident(service, 2, 2);
    const by = { id: 'ivan', name: 'Ivan Resolver' };
    await handle.executeUpdate(acknowledgeIncidentUpdate, { args: [{ by }] });
    await env.sleep('2 hours');
    await handle.executeUpdate(pendIncidentUpdate, { args: [{ by, reason: 'Waiting on the vendor' }] });
    await env.sleep('2 days');
    const resumed = await handle.executeUpdate(resumeIncidentUpdate, { args: [{ by }] });

    const [pause] = resumed.sla.resolution!.pauses;
    expect(pause).toMatchObject({ reason: 'Waiting on the vendor', by: 'ivan', resumedBy: 'ivan' });
    const pausedBusiness = businessMsBetween(STANDARD_BUSINESS_CALENDAR, new Date(pause.from), new Date(pause.until!));
    expect(resumed.sla.resolution!.pausedMs).toBe(pausedBusiness);
    // The pause ledger is queryable: the same facts from the live query.
    expect((await handle.query(incidentStateQuery)).sla.resolution!.pauses).toEqual(resumed.sla.resolution!.pauses);

    const activeBeforePause = businessMsBetween(STANDARD_BUSINESS_CALENDAR, openedAt, new Date(pause.from));
    const expectedDue = addBusinessMs(STANDARD_BUSINESS_CALENDAR, new Date(pause.until!), 3 * BUSINESS_DAY_MS - activeBeforePause).getTime();
    expect(Date.parse(resumed.sla.resolution!.dueAt!)).toBe(expectedDue);

    await env.sleep('12 days');
    await workflowSettled(handle, { timersDueBy: await env.currentTimeMs() });
    const recorded = await breaches(id);
    expect(recorded.map((b) => b.target)).toEqual(['resolution']);
    expect(Math.abs(recorded[0].at - expectedDue)).toBeLessThan(2_000);
  }, 120_000);
});
