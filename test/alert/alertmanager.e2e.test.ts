import { DEMO_USERS } from '@steward/identity';
import { IncidentEntity } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { eventually, temporalClient, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startStewardStack, stopStewardStack, type StewardStack } from '../support/stack';
import { addService, eventsOf, TEST_INCIDENT_PROCESS } from '../support/incidents';
import { workflowSettled } from '../support/workflow-facts';

type Alert = {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
};

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** An alert as Alertmanager sends it; each test gets fingerprints of its own. */
const alert = (fingerprint: string, labels: Record<string, string>, over: Partial<Alert> = {}): Alert => ({
  status: 'firing',
  labels: { alertname: 'HighErrorRate', ...labels },
  annotations: { summary: `Error rate high on ${labels.ci ?? labels.service ?? '?'}`, description: '7.2% of requests fail' },
  startsAt: '2026-11-20T10:00:00.123456789Z',
  endsAt: ZERO_TIME,
  generatorURL: 'http://prometheus:9090/graph?g0.expr=rate',
  fingerprint,
  ...over,
});

const payload = (alerts: Alert[]) => ({
  version: '4',
  groupKey: '{}:{alertname="HighErrorRate"}',
  truncatedAlerts: 0,
  status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
  receiver: 'steward',
  groupLabels: { alertname: 'HighErrorRate' },
  commonLabels: { alertname: 'HighErrorRate' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts,
});

/**
 * Alertmanager's webhook over HTTP on the real dev server and PostgreSQL: firing alerts open
 * classified incidents, repeats are idempotent, resolved alerts add one note, bad alerts are
 * reported one by one, bad payloads are refused naming the field.
 */
describe('alert intake: Alertmanager webhook', () => {
  let database: TestDatabase;
  let http: App;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  const tokens: Record<string, string> = {};
  const taskQueue = uniqueTaskQueue('alert-intake');
  const processes = { incidentProcess: TEST_INCIDENT_PROCESS };

  let stack: StewardStack | undefined;

  beforeAll(async () => {
    stack = await startStewardStack('alert_intake', { taskQueue, processes, tokens });
    ({ database, http, temporal } = stack);
  });

  afterAll(() => stopStewardStack(stack));

  const post = (body: unknown, who: keyof typeof DEMO_USERS | null = 'monitoring') => {
    const call = request(http).post('/api/alerts/alertmanager');
    return (who ? call.set('Authorization', `Bearer ${tokens[who]}`) : call).send(body as object);
  };
  const incident = (id: string) => database.db.getRepository(IncidentEntity).findOneByOrFail({ id });
  const notes = async (id: string) => (await eventsOf(database.db, id)).filter((e) => e.type === 'note').map((e) => e.data);
  /**
   * A note travels as a signal the intake has delivered before it answers: once the incident's
   * workflow has no task and no activity pending, every note sent so far is on its timeline.
   */
  const settled = (id: string) => workflowSettled(temporal.client.workflow.getHandle(`incident-${id}`));

  it('opens an incident per firing alert, classified from its labels and the CMDB, and reports alerts it cannot place', async () => {
    const minor = await addService(database.db, 'svc-am-minor', 3, 10);
    const critical = await addService(database.db, 'svc-am-critical', 1, 5000);
    const alerts = [
      alert('a1', { ci: minor, severity: 'warning' }),
      alert('a2', { service: critical, severity: 'critical', alertname: 'PaymentsDown' }, { annotations: {} }),
      alert('a3', { ci: 'svc-nobody-knows', severity: 'critical' }),
      alert('a4', { job: 'node' }),
      alert('a5', { ci: minor, impact: '3', urgency: '3', category: 'capacity' }),
    ];
    const { body } = await post(payload(alerts)).expect(200);

    expect(body.incidents).toHaveLength(5);
    expect(body.incidents[2]).toEqual({ id: null, created: false, error: expect.stringContaining('svc-nobody-knows') });
    expect(body.incidents[3]).toEqual({ id: null, created: false, error: 'no label names the affected CI (expected one of: ci, service)' });
    for (const i of [0, 1, 4]) expect(body.incidents[i]).toEqual({ id: expect.stringMatching(/^INC-\d{6,}$/), created: true });

    const [warning, down, capacity] = await Promise.all([0, 1, 4].map((i) => incident(body.incidents[i].id)));
    expect(warning).toMatchObject({ serviceKey: minor, priority: 'P3', impact: 2, urgency: 2, source: 'alertmanager', alertFingerprint: 'alertmanager:a1', reportedBy: 'alertmanager', category: 'HighErrorRate' });
    expect(warning.title).toBe('Error rate high on svc-am-minor');
    expect(warning.description).toContain('7.2% of requests fail');
    expect(warning.description).toContain('Source: http://prometheus:9090/graph?g0.expr=rate');
    // Severity critical is urgency 1; the CMDB raises impact 2 to 1 for a criticality-1 service.
    expect(down).toMatchObject({ serviceKey: critical, priority: 'P1', major: true, reportedImpact: 2, impact: 1, urgency: 1, title: 'PaymentsDown', category: 'PaymentsDown' });
    expect(capacity).toMatchObject({ priority: 'P5', impact: 3, urgency: 3, category: 'capacity' });

    const opened = await eventually(() => eventsOf(database.db, down.id), (events) => events.some((e) => e.type === 'opened'));
    expect(opened.find((e) => e.type === 'opened')?.data).toMatchObject({ source: 'alertmanager', priority: 'P1', service: critical });
  });

  it('is idempotent on repeats, and notes only a new start of the same alert', async () => {
    const service = await addService(database.db, 'svc-am-repeat');
    const first = (await post(payload([alert('r1', { ci: service })])).expect(200)).body.incidents[0];
    expect(first.created).toBe(true);

    const again = (await post(payload([alert('r1', { ci: service })])).expect(200)).body;
    expect(again).toEqual({ incidents: [{ id: first.id, created: false }] });
    // Alertmanager writes times with nanoseconds; the same instant written otherwise is a repeat too.
    await post(payload([alert('r1', { ci: service }, { startsAt: '2026-11-20T12:00:00.123+02:00' })])).expect(200);
    await settled(first.id);
    expect(await notes(first.id)).toEqual([]);

    const restarted = alert('r1', { ci: service }, { startsAt: '2026-11-20T11:30:00Z' });
    expect((await post(payload([restarted])).expect(200)).body).toEqual({ incidents: [{ id: first.id, created: false }] });
    await post(payload([restarted])).expect(200);
    await eventually(() => notes(first.id), (n) => n.length > 0);
    await settled(first.id);
    expect(await notes(first.id)).toEqual([
      { key: 'alert:r1:firing:2026-11-20T11:30:00.000Z', note: 'alert firing again since 2026-11-20T11:30:00.000Z', fingerprint: 'r1', startsAt: '2026-11-20T11:30:00.000Z' },
    ]);
    expect(await database.db.getRepository(IncidentEntity).countBy({ alertFingerprint: 'alertmanager:r1' })).toBe(1);
  });

  it('adds one note when the alert resolves, however often it is sent; a resolved alert with no open incident opens nothing', async () => {
    const service = await addService(database.db, 'svc-am-resolve');
    const opened = (await post(payload([alert('s1', { ci: service })])).expect(200)).body.incidents[0];
    const resolved = alert('s1', { ci: service }, { status: 'resolved', endsAt: '2026-11-20T10:20:00Z' });

    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await post(payload([resolved])).expect(200)).body);
    expect(answers).toEqual(Array(3).fill({ incidents: [{ id: opened.id, created: false }] }));
    await eventually(() => notes(opened.id), (n) => n.length > 0);
    await settled(opened.id);
    expect(await notes(opened.id)).toEqual([
      { key: 'alert:s1:resolved:2026-11-20T10:20:00.000Z', note: 'alert resolved at 2026-11-20T10:20:00.000Z', fingerprint: 's1', endsAt: '2026-11-20T10:20:00.000Z' },
    ]);
    const timeline = (await request(http).get(`/api/incidents/${opened.id}/timeline`).set('Authorization', `Bearer ${tokens.auditor}`).expect(200)).body;
    expect(timeline.filter((e: { type: string }) => e.type === 'note')).toHaveLength(1);

    const orphan = alert('never-fired', { ci: service }, { status: 'resolved', endsAt: '2026-11-20T10:20:00Z' });
    expect((await post(payload([orphan])).expect(200)).body).toEqual({ incidents: [{ id: null, created: false }] });
    expect(await database.db.getRepository(IncidentEntity).countBy({ alertFingerprint: 'alertmanager:never-fired' })).toBe(0);
  });

  it('refuses a malformed payload naming every bad field, and ignores fields newer Alertmanagers may add', async () => {
    const service = await addService(database.db, 'svc-am-shape');
    const bad = payload([
      alert('ok', { ci: service }),
      { ...alert('x', { ci: service }), status: 'burning' as never, fingerprint: undefined as never, labels: { ci: 5 } as never, startsAt: 'yesterday' },
    ]);
    const refused = (await post({ ...bad, version: '3' }).expect(400)).body;
    expect(refused.details.map((d: { field: string }) => d.field)).toEqual(['version', 'alerts.1.status', 'alerts.1.labels', 'alerts.1.startsAt', 'alerts.1.fingerprint']);
    expect(refused.message).toContain('alerts.1.fingerprint');
    expect(await database.db.getRepository(IncidentEntity).countBy({ serviceKey: service })).toBe(0);

    expect((await post({ version: '4', status: 'firing', receiver: 'steward' }).expect(400)).body.details).toEqual([{ field: 'alerts', message: expect.stringContaining('alerts') }]);
    await post('not json at all').expect(400);

    const future = { ...payload([{ ...alert('newer', { ci: service }), silencedBy: [] } as Alert]), someFutureField: true };
    expect((await post(future).expect(200)).body.incidents[0]).toEqual({ id: expect.any(String), created: true });
  });

  it('takes alerts from monitoring, the service desk and admins only', async () => {
    const service = await addService(database.db, 'svc-am-auth');
    const body = payload([alert('auth1', { ci: service })]);
    await post(body, null).expect(401);
    await request(http).post('/api/alerts/alertmanager').set('Authorization', 'Bearer not-a-token').send(body).expect(401);
    for (const who of ['auditor', 'requester', 'resolver', 'changeManager'] as const) await post(body, who).expect(403);
    expect(await database.db.getRepository(IncidentEntity).countBy({ serviceKey: service })).toBe(0);

    const [fromMonitoring, fromDesk, fromAdmin] = [(await post(body, 'monitoring').expect(200)).body, (await post(body, 'serviceDesk').expect(200)).body, (await post(body, 'admin').expect(200)).body];
    expect(fromMonitoring.incidents[0].created).toBe(true);
    expect(fromDesk.incidents[0]).toEqual({ id: fromMonitoring.incidents[0].id, created: false });
    expect(fromAdmin.incidents[0]).toEqual({ id: fromMonitoring.incidents[0].id, created: false });
  });
});
