import { DEMO_USERS } from '@steward/identity';
import request from 'supertest';
import type { App } from 'supertest/types';
import { eventually, temporalClient, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startStewardStack, stopStewardStack, type StewardStack } from '../support/stack';
import { recordHistories } from '../support/histories';
import { addEscalationPolicy, addService, addSlaDefinition, eventsOf, notificationsFor, TEST_INCIDENT_PROCESS } from '../support/incidents';
import { workflowSettled } from '../support/workflow-facts';

/**
 * The incident workflow through the HTTP contract, on the real dev server with short configured
 * durations (seconds instead of minutes): escalation, commander deadline, stakeholder cadence,
 * handover, SLA pause/resume and breach, the major-incident close rules.
 */
describe('incident workflow over HTTP', () => {
  let database: TestDatabase;
  let http: App;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  const tokens: Record<string, string> = {};
  const taskQueue = uniqueTaskQueue('incident-e2e');
  const processes = { incidentProcess: TEST_INCIDENT_PROCESS };

  let stack: StewardStack | undefined;

  beforeAll(async () => {
    stack = await startStewardStack('incident_e2e', { taskQueue, processes, tokens });
    ({ database, http, temporal } = stack);
  });

  afterAll(() => stopStewardStack(stack));

  const as = (part: keyof typeof DEMO_USERS) => ({ Authorization: `Bearer ${tokens[part]}` });
  const open = async (body: Record<string, unknown>, who: keyof typeof DEMO_USERS = 'serviceDesk') =>
    (await request(http).post('/api/incidents').set(as(who)).send({ title: 'Checkout failing', description: 'HTTP 502 on /pay', impact: 3, urgency: 3, ...body }).expect(201)).body as {
      id: string;
      priority: string;
      major: boolean;
    };
  const get = async (id: string) => (await request(http).get(`/api/incidents/${id}`).set(as('auditor')).expect(200)).body;
  /** Saves the workflow's history for the replay test (with STEWARD_RECORD_HISTORIES=1). */
  const keepHistory = (name: string, id: string) => recordHistories(temporal.client, { [name]: `incident-${id}` });
  const types = async (id: string) => (await eventsOf(database.db, id)).map((e) => e.type);
  const act = (id: string, action: string, who: keyof typeof DEMO_USERS, body: Record<string, unknown> = {}) => request(http).post(`/api/incidents/${id}/${action}`).set(as(who)).send(body);

  it('classifies by impact x urgency, raises impact from the CMDB, shows the rule, and ignores the caller rank', async () => {
    const minor = await addService(database.db, 'svc-classify-minor', 3, 10);
    const critical = await addService(database.db, 'svc-classify-critical', 1, 5000);
    const plain = await open({ service: minor, impact: 2, urgency: 2 });
    const vip = await open({ service: minor, impact: 2, urgency: 2, callerVip: true });
    expect([plain.priority, vip.priority]).toEqual(['P3', 'P3']);
    expect(vip.major).toBe(false);

    const raised = (await request(http).post('/api/incidents').set(as('serviceDesk')).send({ title: 't', description: 'd', service: critical, impact: 3, urgency: 2 }).expect(201)).body;
    expect(raised).toMatchObject({ priority: 'P2', major: true, classification: { impact: { reported: 3, effective: 1, raisedBy: expect.stringContaining('criticality 1') } } });
    const view = await get(raised.id);
    expect(view).toMatchObject({ id: raised.id, priority: 'P2', major: true, state: 'new', resolvers: [], escalationLevel: expect.any(Number) });
    expect(view.sla.response).toMatchObject({ target: 'response', targetMs: 30 * 60_000, paused: false, breached: false });
    expect(view.sla.resolution).toMatchObject({ target: 'resolution', targetMs: 8 * 3_600_000 });

    // Remaining time is true at the time of the request, not at the workflow's last task. On an
    // incident with a round-the-clock SLA and no timer due for minutes, once its workflow has
    // settled, a later view shows the clock a second further on (one frozen at the last task
    // never gets there) while the history shows no task in between, and remaining time down by
    // exactly as much.
    const clocked = await addService(database.db, 'svc-classify-clock', 3, 10);
    await addSlaDefinition(database.db, clocked, 'P3', 4 * 3_600_000, 24 * 3_600_000);
    const quietIncident = await open({ service: clocked, impact: 2, urgency: 2 });
    const quiet = temporal.client.workflow.getHandle(`incident-${quietIncident.id}`);
    await workflowSettled(quiet);
    const eventsBefore = (await quiet.fetchHistory()).events?.length;
    const first = await get(quietIncident.id);
    const later = await eventually(() => get(quietIncident.id), (v) => v.sla.response.elapsedMs - first.sla.response.elapsedMs >= 1_000);
    expect((await quiet.fetchHistory()).events?.length).toBe(eventsBefore);
    const between = later.sla.response.elapsedMs - first.sla.response.elapsedMs;
    expect(first.sla.response.remainingMs - later.sla.response.remainingMs).toBe(between);
    expect(later.sla.response.dueAt).toBe(first.sla.response.dueAt);
  });

  it('escalates through the levels of its pinned policy and stops when acknowledged', async () => {
    const service = await addService(database.db, 'svc-escalation');
    await addEscalationPolicy(database.db, service, [
      { targets: ['group:esc-l1'], ackTimeoutMs: 1_500 },
      { targets: ['group:esc-l2', 'user:judy'], ackTimeoutMs: 1_500 },
      { targets: ['group:esc-l3'], ackTimeoutMs: 1_500 },
    ]);
    const incident = await open({ service });
    // A newer version published after it opened does not change its escalation.
    await addEscalationPolicy(database.db, service, [{ targets: ['group:esc-other'], ackTimeoutMs: 500 }], 0, 2);

    await eventually(() => types(incident.id), (t) => t.filter((x) => x === 'escalated').length === 2, 10_000);
    await act(incident.id, 'acknowledge', 'resolver').expect(200);
    // A level-3 page could only come from the timer running when the acknowledgement arrived (due
    // within one ack timeout): wait until that timer is over, cancelled or fired, and everything
    // it led to is recorded.
    await workflowSettled(temporal.client.workflow.getHandle(`incident-${incident.id}`), { timersDueBy: Date.now() + 1_500 });

    const escalations = (await eventsOf(database.db, incident.id)).filter((e) => e.type === 'escalated').map((e) => e.data);
    expect(escalations).toEqual([
      { level: 1, round: 1, targets: ['group:esc-l1'] },
      { level: 2, round: 1, targets: ['group:esc-l2', 'user:judy'] },
    ]);
    expect(await notificationsFor(database.db, 'group:esc-l1', 'incident_escalated')).toHaveLength(1);
    expect(await notificationsFor(database.db, 'user:judy', 'incident_escalated')).toHaveLength(1);
    expect(await notificationsFor(database.db, 'group:esc-l3')).toHaveLength(0);
    expect(await notificationsFor(database.db, 'group:esc-other')).toHaveLength(0);
    const view = await get(incident.id);
    expect(view).toMatchObject({ state: 'in_progress', acknowledgedBy: 'ivan', escalation: { policy: `policy-${service}`, version: 1, level: 2, exhausted: false } });
    expect(view.sla.response.stoppedAt).not.toBeNull();
    await keepHistory('incident-escalated-then-acknowledged', incident.id);
  });

  it('repeats the policy N times and records when it is exhausted', async () => {
    const service = await addService(database.db, 'svc-escalation-repeat');
    await addEscalationPolicy(database.db, service, [{ targets: ['group:rep-l1'], ackTimeoutMs: 700 }], 1);
    const incident = await open({ service });
    await eventually(() => types(incident.id), (t) => t.includes('escalation_exhausted'), 10_000);
    const escalations = (await eventsOf(database.db, incident.id)).filter((e) => e.type === 'escalated').map((e) => e.data);
    expect(escalations).toEqual([
      { level: 1, round: 1, targets: ['group:rep-l1'] },
      { level: 1, round: 2, targets: ['group:rep-l1'] },
    ]);
  });

  it('pauses the SLA clocks while pending a third party, keeps the reason and who, and resumes them', async () => {
    const service = await addService(database.db, 'svc-pending');
    await addSlaDefinition(database.db, service, 'P5', 60_000, 120_000);
    const incident = await open({ service });
    await act(incident.id, 'acknowledge', 'serviceDesk').expect(200);
    const paused = (await act(incident.id, 'pending', 'resolver', { reason: 'Waiting on the card network (VN-2231)' }).expect(200)).body;
    expect(paused.state).toBe('pending');
    expect(paused.sla.resolution).toMatchObject({ paused: true, dueAt: null, pauses: [{ reason: 'Waiting on the card network (VN-2231)', by: 'ivan', until: null }] });
    await act(incident.id, 'pending', 'resolver', { reason: 'again' }).expect(409);

    // The clock shows the pause growing while it lasts; resume once it has lasted 1.4 s.
    await eventually(() => get(incident.id), (v) => v.sla.resolution.pausedMs >= 1_400);
    const resumed = (await act(incident.id, 'resume', 'resolver').expect(200)).body;
    expect(resumed.state).toBe('in_progress');
    const [pause] = resumed.sla.resolution.pauses;
    expect(pause).toMatchObject({ by: 'ivan', resumedBy: 'ivan', until: expect.any(String) });
    expect(Date.parse(pause.until) - Date.parse(pause.from)).toBeGreaterThanOrEqual(1_400);
    expect(resumed.sla.resolution.pausedMs).toBeGreaterThanOrEqual(1_400);
    // Paused time is not counted: elapsed + paused = time since opening.
    const sinceOpen = Date.parse(resumed.asOf) - Date.parse(resumed.sla.resolution.startedAt);
    expect(resumed.sla.resolution.elapsedMs + resumed.sla.resolution.pausedMs).toBe(sinceOpen);
    expect(resumed.sla.resolution.dueAt).not.toBeNull();
    expect(await types(incident.id)).toEqual(expect.arrayContaining(['pending', 'resumed']));
    await act(incident.id, 'resume', 'resolver').expect(409);
    await keepHistory('incident-pending-then-resumed', incident.id);
  });

  it('records a breach as an event when the durable timer fires, not when someone looks', async () => {
    const service = await addService(database.db, 'svc-breach');
    await addSlaDefinition(database.db, service, 'P5', 1_000, 60_000);
    const incident = await open({ service });
    const events = await eventually(() => eventsOf(database.db, incident.id), (e) => e.some((x) => x.type === 'sla_breached'), 10_000);
    const breach = events.find((e) => e.type === 'sla_breached')!;
    expect(breach.data).toMatchObject({ target: 'response', priority: 'P5', targetMs: 1_000 });
    const opened = events.find((e) => e.type === 'opened')!;
    expect(breach.at.getTime() - opened.at.getTime()).toBeGreaterThanOrEqual(1_000);
    const view = await get(incident.id);
    expect(view.sla.response).toMatchObject({ breached: true });
    expect(view.sla.response.remainingMs).toBeLessThan(0);
    // Acknowledging late stops the clock; the breach stays.
    await act(incident.id, 'acknowledge', 'serviceDesk').expect(200);
    const stopped = await eventually(() => eventsOf(database.db, incident.id), (e) => e.some((x) => x.type === 'sla_stopped'));
    expect(stopped.find((e) => e.type === 'sla_stopped')!.data).toMatchObject({ target: 'response', breached: true });
    await keepHistory('incident-response-breached', incident.id);
  });

  it('re-classification re-targets the clocks and carries elapsed and paused time over', async () => {
    const service = await addService(database.db, 'svc-reclassify');
    await addSlaDefinition(database.db, service, 'P5', 600_000, 3_600_000);
    await addSlaDefinition(database.db, service, 'P3', 300_000, 1_800_000);
    const incident = await open({ service });
    await act(incident.id, 'pending', 'resolver', { reason: 'vendor' }).expect(200);
    // Some paused time to carry over: resume once the clock shows half a second of it.
    await eventually(() => get(incident.id), (v) => v.sla.resolution.pausedMs >= 500);
    await act(incident.id, 'resume', 'resolver').expect(200);
    const before = await get(incident.id);
    const after = (await act(incident.id, 'reclassify', 'serviceDesk', { impact: 2, urgency: 2, reason: 'more users affected' }).expect(200)).body;
    expect(after.priority).toBe('P3');
    expect(after.sla.resolution.targetMs).toBe(1_800_000);
    expect(after.sla.resolution.startedAt).toBe(before.sla.resolution.startedAt);
    expect(after.sla.resolution.pauses).toEqual(before.sla.resolution.pauses);
    expect(after.sla.resolution.elapsedMs).toBeGreaterThanOrEqual(before.sla.resolution.elapsedMs);
    expect(after.sla.definition).toBe(`${service}/P3@1`);
    const reclassified = (await eventsOf(database.db, incident.id)).find((e) => e.type === 'reclassified')!;
    expect(reclassified.data).toMatchObject({ from: 'P5', to: 'P3', reason: 'more users affected' });
    await act(incident.id, 'reclassify', 'serviceDesk', { impact: 4, urgency: 0, reason: '' }).expect(400);
    await keepHistory('incident-reclassified', incident.id);
  });

  it('escalates a major incident without a commander to the duty managers when the deadline passes', async () => {
    const service = await addService(database.db, 'svc-commander-deadline', 1, 5000);
    const incident = await open({ service, impact: 1, urgency: 1 });
    expect(incident).toMatchObject({ priority: 'P1', major: true });
    await eventually(() => types(incident.id), (t) => t.includes('commander_deadline_missed'), 10_000);
    const notified = (await notificationsFor(database.db, 'group:duty-managers', 'commander_missing')).filter((n) => n.message.startsWith(`${incident.id} `));
    expect(notified).toEqual([expect.objectContaining({ message: expect.stringContaining('no incident commander after 2 s') })]);
  });

  it('refuses a commander who is a resolver (400), and hands command over only on acceptance', async () => {
    const service = await addService(database.db, 'svc-handover', 1, 5000);
    const incident = await open({ service, impact: 1, urgency: 2 });
    const refused = await act(incident.id, 'assign', 'serviceDesk', { commander: 'ivan', resolvers: ['ivan', 'erin'] }).expect(400);
    expect(refused.body.message).toMatch(/commander may not be a resolver/);
    await act(incident.id, 'assign', 'serviceDesk', { commander: 'judy', resolvers: ['ivan'] }).expect(200);
    await act(incident.id, 'assign', 'serviceDesk', { resolvers: ['judy'] }).expect(400);
    await act(incident.id, 'assign', 'serviceDesk', { commander: 'ken' }).expect(409);

    // Only the commander proposes; a resolver cannot be proposed.
    await act(incident.id, 'handover', 'commander2', { to: 'ken' }).expect(403);
    await act(incident.id, 'handover', 'commander', { to: 'ivan' }).expect(400);
    // A proposal not accepted in time lapses, and the commander stays.
    await act(incident.id, 'handover', 'commander', { to: 'ken' }).expect(200);
    await eventually(() => types(incident.id), (t) => t.includes('handover_expired'), 10_000);
    expect((await get(incident.id)).commander).toBe('judy');
    await act(incident.id, 'handover/accept', 'commander2').expect(409);

    const proposed = (await act(incident.id, 'handover', 'commander', { to: 'ken' }).expect(200)).body;
    expect(proposed).toMatchObject({ commander: 'judy', handover: { from: 'judy', to: 'ken' } });
    await act(incident.id, 'handover/accept', 'serviceDesk').expect(403);
    const accepted = (await act(incident.id, 'handover/accept', 'commander2').expect(200)).body;
    expect(accepted).toMatchObject({ commander: 'ken', handover: null });
    await keepHistory('incident-handover-expired-then-accepted', incident.id);
  });

  it('reminds the commander and records the miss when a stakeholder update is late; an update resets the cadence', async () => {
    const service = await addService(database.db, 'svc-updates', 1, 5000);
    const incident = await open({ service, impact: 1, urgency: 1 });
    await act(incident.id, 'assign', 'serviceDesk', { commander: 'judy', resolvers: ['ivan'] }).expect(200);
    await eventually(() => types(incident.id), (t) => t.includes('stakeholder_update_missed'), 10_000);
    const reminders = await notificationsFor(database.db, 'user:judy', 'stakeholder_update_reminder');
    expect(reminders.length).toBeGreaterThanOrEqual(1);
    const missed = (await eventsOf(database.db, incident.id)).filter((e) => e.type === 'stakeholder_update_missed');
    expect(missed[0].data).toMatchObject({ commander: 'judy', dueAt: expect.any(String) });

    const before = (await get(incident.id)).stakeholderUpdates.missed;
    const posted = (await act(incident.id, 'updates', 'commander', { message: 'EU restored, US degraded' }).expect(200)).body;
    expect(Date.parse(posted.stakeholderUpdates.dueAt) - Date.parse(posted.asOf)).toBeGreaterThan(2_500);
    expect(posted.stakeholderUpdates.missed).toBe(before);
    await act(incident.id, 'updates', 'commander', { message: '   ' }).expect(400);
    await keepHistory('incident-stakeholder-update-missed', incident.id);
  });

  it('requires a blameless review before a P1 closes, refuses blame, and opens a problem when it is resolved', async () => {
    const service = await addService(database.db, 'svc-major-close', 1, 5000);
    const incident = await open({ service, impact: 1, urgency: 1, category: 'database' });
    await act(incident.id, 'assign', 'serviceDesk', { commander: 'judy', resolvers: ['ivan'] }).expect(200);
    await act(incident.id, 'review', 'commander', reviewBody()).expect(409);
    const resolved = (await act(incident.id, 'resolve', 'resolver', { resolution: 'Rolled back 4.13.0' }).expect(200)).body;
    expect(resolved).toMatchObject({ state: 'resolved', reviewRequired: true, reviewRecorded: false });

    const closeRefused = await act(incident.id, 'close', 'commander').expect(409);
    expect(closeRefused.body.message).toMatch(/post-incident review/);

    const blame = await act(incident.id, 'review', 'commander', reviewBody({ rootCause: 'root cause: Ivan' })).expect(400);
    expect(blame.body.message).toMatch(/rootCause.*blameless/);
    await act(incident.id, 'review', 'commander', reviewBody({ contributingFactors: ['ivan pushed the config'] })).expect(400);
    await act(incident.id, 'review', 'commander', { ...reviewBody(), actions: [{ title: 'x', owner: '', dueDate: 'tomorrow' }] }).expect(400);

    await act(incident.id, 'review', 'commander', reviewBody()).expect(200);
    const closed = (await act(incident.id, 'close', 'commander').expect(200)).body;
    expect(closed.state).toBe('closed');

    const view = await eventually(() => get(incident.id), (v) => v.problemId !== null && v.state === 'closed', 15_000);
    expect(view.problemId).toMatch(/^PRB-\d{6,}$/);
    const events = await types(incident.id);
    expect(events).toEqual(expect.arrayContaining(['opened', 'assigned', 'acknowledged', 'resolved', 'problem_linked', 'review_recorded', 'closed']));
    await act(incident.id, 'resolve', 'resolver', { resolution: 'again' }).expect(409);
    await keepHistory('incident-major-reviewed-closed', incident.id);
  });

  it('opens one problem when the third incident of a signature arrives, and attaches the next to it', async () => {
    const service = await addService(database.db, 'svc-recurring');
    const first = await Promise.all([1, 2, 3].map(() => open({ service, category: 'disk-full' })));
    const other = await open({ service, category: 'latency' });
    const views = await eventually(
      () => Promise.all(first.map((i) => get(i.id))),
      (v) => v.every((i) => i.problemId !== null),
      15_000,
    );
    const problemIds = new Set(views.map((v) => v.problemId));
    expect(problemIds.size).toBe(1);
    const [problemId] = [...problemIds];
    const fourth = await open({ service, category: 'disk-full' });
    await eventually(() => get(fourth.id), (v) => v.problemId === problemId, 15_000);
    // The problem records the attachment itself, a moment after the incident learns its problem.
    const expected = [...first.map((i) => i.id), fourth.id].sort();
    const linked = (p: { incidents: Array<{ incidentId: string }> }) => p.incidents.map((i) => i.incidentId).sort();
    const problem = await eventually(async () => (await request(http).get(`/api/problems/${problemId}`).set(as('auditor')).expect(200)).body, (p) => linked(p).length === expected.length);
    expect(linked(problem)).toEqual(expected);
    expect((await get(other.id)).problemId).toBeNull();
  });

  it('refuses who may not act (403), bad input (400 naming fields) and unknown incidents (404)', async () => {
    const service = await addService(database.db, 'svc-refusals');
    await request(http).post('/api/incidents').set(as('requester')).send({ title: 't', description: 'd', service, impact: 1, urgency: 1 }).expect(403);
    await request(http).post('/api/incidents').set(as('auditor')).send({ title: 't', description: 'd', service, impact: 1, urgency: 1 }).expect(403);
    await request(http).post('/api/incidents').send({ title: 't', description: 'd', service, impact: 1, urgency: 1 }).expect(401);
    const bad = await request(http).post('/api/incidents').set(as('serviceDesk')).send({ title: '', description: 'd', service, impact: 0, urgency: 'high', extra: 1 }).expect(400);
    expect(bad.body.message).toMatch(/title/);
    expect(bad.body.message).toMatch(/impact/);
    expect(bad.body.message).toMatch(/urgency/);
    const unknown = await request(http).post('/api/incidents').set(as('serviceDesk')).send({ title: 't', description: 'd', service: 'no-such-ci', impact: 1, urgency: 1 }).expect(400);
    expect(unknown.body.message).toMatch(/service/);
    await request(http).get('/api/incidents/INC-999999').set(as('auditor')).expect(404);
    await request(http).get('/api/incidents/nonsense').set(as('auditor')).expect(404);
    const incident = await open({ service });
    await act(incident.id, 'acknowledge', 'auditor').expect(403);
    await act(incident.id, 'close', 'serviceDesk').expect(409);
    const timeline = await eventually(async () => (await request(http).get(`/api/incidents/${incident.id}/timeline`).set(as('auditor')).expect(200)).body, (t) => t.length > 0);
    expect(timeline[0]).toMatchObject({ type: 'opened', actor: 'steward', data: { priority: 'P5', service } });
  });
});

function reviewBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timeline: [
      { at: '2026-11-30T09:12:00Z', event: 'Error rate alert fired' },
      { at: '2026-11-30T09:20:00Z', event: 'Ivan rolled back the release' },
    ],
    impact: 'Card payments refused for 42 minutes',
    contributingFactors: ['Connection pool default lowered by the driver upgrade', 'No alert on pool saturation'],
    whatWentWell: ['Rollback took 4 minutes'],
    actions: [{ title: 'Alert on pool saturation', owner: 'erin', dueDate: '2026-12-15' }],
    rootCause: 'Driver upgrade changed the pool size default',
    ...overrides,
  };
}
