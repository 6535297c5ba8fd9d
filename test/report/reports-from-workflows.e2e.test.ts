import type { INestApplicationContext } from '@nestjs/common';
import { ratio } from '@steward/domain';
import { DEMO_USERS } from '@steward/identity';
import { ConfigurationItemEntity, insertRows } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { eventually, temporalClient, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startStewardStack, stopStewardStack, type StewardStack } from '../support/stack';
import { addEscalationPolicy, addService, addSlaDefinition, TEST_INCIDENT_PROCESS } from '../support/incidents';
import { workflowSettled } from '../support/workflow-facts';

type Part = keyof typeof DEMO_USERS;
interface TimelineEvent {
  at: string;
  type: string;
  data: Record<string, unknown>;
}

const step = (id: string, outcome: 'succeed' | 'fail' = 'succeed') => ({
  id,
  name: `step ${id}`,
  kind: 'automated',
  action: { executor: 'simulated', outcome, durationMs: 20 },
  rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  estimatedMinutes: 5,
});
const MIN = 60_000;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
/** A mean the report rounds to whole milliseconds (PostgreSQL computes it in floating point). */
const aboutMs = (expected: number) => ({
  asymmetricMatch: (actual: unknown) => typeof actual === 'number' && Math.abs(actual - expected) <= 1,
  toString: () => `about ${expected} ms`,
  toAsymmetricMatcher: () => `about ${expected} ms`,
});

/**
 * The reports over events the real workflows wrote: changes and incidents driven through the
 * HTTP API and the worker to known ends, then every figure checked against what those workflows
 * recorded (outcomes the test drove, times from the change timelines and the incident views). A report that reads an event the workflows never write (or write under
 * another name or shape) fails here, where reports.e2e's hand-written rows cannot tell.
 */
describe('reports on what the workflows recorded', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let http: App;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  const tokens: Record<string, string> = {};
  const taskQueue = uniqueTaskQueue('report-workflows');
  const processes = { incidentProcess: TEST_INCIDENT_PROCESS };
  const from = new Date(Date.now() - MIN).toISOString();

  let stack: StewardStack | undefined;

  beforeAll(async () => {
    stack = await startStewardStack('report_workflows', {
      taskQueue,
      processes,
      tokens,
      seed: (db) =>
        insertRows(db.manager, ConfigurationItemEntity, [
          Object.assign(new ConfigurationItemEntity(), { key: 'app-report', name: 'app-report', type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'payments-team', status: 'active', version: '1.0', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null }),
        ]),
    });
    ({ database, worker, http, temporal } = stack);
  });

  afterAll(() => stopStewardStack(stack));

  const as = (part: Part) => ({ Authorization: `Bearer ${tokens[part]}` });
  const report = async (name: string) => (await request(http).get(`/api/reports/${name}`).query({ from, to: new Date(Date.now() + MIN).toISOString() }).set(as('auditor')).expect(200)).body;

  // ─── Changes ─────────────────────────────────────────────────────────────────────────────
  const submit = async (over: Record<string, unknown> = {}): Promise<string> =>
    (
      await request(http)
        .post('/api/changes')
        .set(as('requester'))
        .send({ title: 'Report change', description: 'd', type: 'normal', cis: ['app-report'], justification: 'j', plan: { steps: [step('deploy')] }, backoutPlan: 'Redeploy the previous release.', testEvidence: 'green', ...over })
        .expect(201)
    ).body.id;
  const changeView = async (id: string) => (await request(http).get(`/api/changes/${id}`).set(as('changeManager')).expect(200)).body;
  const reach = (id: string, state: string) => eventually(() => changeView(id), (c) => c.state === state, 30_000);
  const decide = async (id: string, who: Part, decision = 'approve') =>
    request(http).post(`/api/changes/${id}/decisions`).set(as(who)).send({ decision, comment: `${who} says ${decision}`, planHash: (await changeView(id)).planHash }).expect(200);
  const changeTimeline = async (id: string): Promise<TimelineEvent[]> => (await request(http).get(`/api/changes/${id}/timeline`).set(as('changeManager')).expect(200)).body;

  /** Submitted to the first move to scheduled, as the change's timeline shows them. */
  const leadTime = async (id: string) => {
    const timeline = await changeTimeline(id);
    const submitted = timeline.find((e) => e.type === 'submitted')!;
    const scheduled = timeline.find((e) => e.type === 'state_changed' && e.data.to === 'scheduled')!;
    return Date.parse(scheduled.at) - Date.parse(submitted.at);
  };

  // ─── Incidents ───────────────────────────────────────────────────────────────────────────
  const openIncident = async (service: string): Promise<string> =>
    (await request(http).post('/api/incidents').set(as('serviceDesk')).send({ title: 'Reports slow', description: 'd', service, impact: 2, urgency: 2 }).expect(201)).body.id;
  const act = (id: string, action: string, who: Part, body: Record<string, unknown> = {}) => request(http).post(`/api/incidents/${id}/${action}`).set(as(who)).send(body).expect(200);
  const incidentTimeline = async (id: string): Promise<TimelineEvent[]> => (await request(http).get(`/api/incidents/${id}/timeline`).set(as('auditor')).expect(200)).body;
  const incidentView = async (id: string) => (await request(http).get(`/api/incidents/${id}`).set(as('auditor')).expect(200)).body;
  /** From the incident as its workflow keeps it, not from the events the report reads. */
  const sinceOpened = (view: Record<string, string>, field: 'acknowledgedAt' | 'resolvedAt') => Date.parse(view[field]) - Date.parse(view.openedAt);

  it('counts outcomes, success rate, emergency ratio and approval lead time from the changes the workflow ran', async () => {
    const completed = await submit();
    const rolledBack = await submit({ plan: { steps: [step('deploy', 'fail')] } });
    const rejected = await submit();
    const cancelled = await submit();
    const emergency = await submit({ type: 'emergency' });
    const open = await submit();
    for (const id of [completed, rolledBack, rejected, cancelled, emergency, open]) await reach(id, 'awaiting_approval');

    await decide(completed, 'cabMember');
    await decide(rolledBack, 'cabMember');
    await decide(rejected, 'cabMember', 'reject');
    await request(http).post(`/api/changes/${cancelled}/cancel`).set(as('requester')).send({ reason: 'no longer needed' }).expect(200);
    await decide(emergency, 'cabMember');
    await decide(emergency, 'changeManager');
    await Promise.all([reach(completed, 'completed'), reach(rolledBack, 'rolled_back'), reach(rejected, 'rejected'), reach(cancelled, 'cancelled'), reach(emergency, 'completed')]);

    const leads = await Promise.all([completed, rolledBack, emergency].map(leadTime));
    const body = await report('changes');
    const byType = Object.fromEntries(body.rows.map((r: { type: string }) => [r.type, r]));
    expect(byType.normal).toMatchObject({ submitted: 5, completed: 1, rolledBack: 1, failed: 0, rejected: 1, cancelled: 1, open: 1, share: ratio(5, 6), successRate: ratio(1, 2) });
    expect(byType.emergency).toMatchObject({ submitted: 1, completed: 1, rolledBack: 0, rejected: 0, cancelled: 0, open: 0, share: ratio(1, 6), successRate: 1 });
    expect(body.totals).toMatchObject({
      submitted: 6,
      completed: 2,
      rolledBack: 1,
      failed: 0,
      rejected: 1,
      cancelled: 1,
      open: 1,
      failedInProduction: 0,
      successRate: ratio(2, 3),
      emergencyRatio: ratio(1, 6),
    });
    expect(body.totals.approvalLeadTime).toMatchObject({ samples: 3, meanMs: aboutMs(mean(leads)) });
    expect(byType.emergency.approvalLeadTime).toMatchObject({ samples: 1, meanMs: aboutMs(leads[2]) });
  });

  it('computes SLA attainment, MTTA and MTTR from the incidents the workflow ran', async () => {
    const met = await addService(database.db, 'svc-report-met');
    const breach = await addService(database.db, 'svc-report-breach');
    await addSlaDefinition(database.db, met, 'P3', 10 * MIN, 20 * MIN);
    await addSlaDefinition(database.db, breach, 'P3', 1_000, 20 * MIN);
    // One level that waits ten minutes: one escalation each within the test, however slow.
    for (const service of [met, breach]) await addEscalationPolicy(database.db, service, [{ targets: [`group:${service}`], ackTimeoutMs: 10 * MIN }]);

    // In time, acknowledged, resolved and closed.
    const closed = await openIncident(met);
    // Its response clock breaches on its durable timer, then it is acknowledged late and resolved.
    const late = await openIncident(breach);
    // Left open: both clocks still running.
    const running = await openIncident(met);

    await act(closed, 'acknowledge', 'resolver');
    await act(closed, 'resolve', 'resolver', { resolution: 'Restarted the report workers' });
    await act(closed, 'close', 'serviceDesk');
    await eventually(() => incidentTimeline(late), (t) => t.some((e) => e.type === 'sla_breached'), 15_000);
    await act(late, 'acknowledge', 'resolver');
    await act(late, 'resolve', 'resolver', { resolution: 'Added an index' });
    for (const id of [closed, late, running]) await workflowSettled(temporal.client.workflow.getHandle(`incident-${id}`));

    const [closedView, lateView] = await Promise.all([closed, late].map(incidentView));
    const acks = [sinceOpened(closedView, 'acknowledgedAt'), sinceOpened(lateView, 'acknowledgedAt')];
    const resolutions = [sinceOpened(closedView, 'resolvedAt'), sinceOpened(lateView, 'resolvedAt')];
    const [closedTimeline, lateTimeline, runningTimeline] = await Promise.all([closed, late, running].map(incidentTimeline));
    const escalations = [closedTimeline, lateTimeline, runningTimeline].flat().filter((e) => e.type === 'escalated').length;
    expect(escalations).toBe(3);

    const sla = await report('sla');
    expect(sla.totals).toEqual({
      incidents: 3,
      response: { met: 1, breached: 1, running: 1, noTarget: 0, attainment: ratio(1, 2) },
      resolution: { met: 2, breached: 0, running: 1, noTarget: 0, attainment: 1 },
    });
    expect(sla.rows).toEqual([
      { service: breach, priority: 'P3', incidents: 1, response: { met: 0, breached: 1, running: 0, noTarget: 0, attainment: 0 }, resolution: { met: 1, breached: 0, running: 0, noTarget: 0, attainment: 1 } },
      { service: met, priority: 'P3', incidents: 2, response: { met: 1, breached: 0, running: 1, noTarget: 0, attainment: 1 }, resolution: { met: 1, breached: 0, running: 1, noTarget: 0, attainment: 1 } },
    ]);

    const incidents = await report('incidents');
    expect(incidents.totals).toMatchObject({
      opened: 3,
      acknowledged: 2,
      resolved: 2,
      closed: 1,
      major: 0,
      escalations,
      breaches: 1,
      responseBreaches: 1,
      resolutionBreaches: 0,
      missedStakeholderUpdates: 0,
      mtta: { samples: 2, meanMs: aboutMs(mean(acks)) },
      mttr: { samples: 2, meanMs: aboutMs(mean(resolutions)) },
    });
    expect(incidents.rows.find((r: { service: string }) => r.service === breach)).toMatchObject({ opened: 1, mtta: { samples: 1, meanMs: aboutMs(acks[1]) }, mttr: { samples: 1, meanMs: aboutMs(resolutions[1]) } });
  });
});
