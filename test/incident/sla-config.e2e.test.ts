import { DEMO_USERS } from '@steward/identity';
import request from 'supertest';
import type { App } from 'supertest/types';
import { eventually, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startStewardStack, stopStewardStack, type StewardStack } from '../support/stack';
import { addService, TEST_INCIDENT_PROCESS } from '../support/incidents';

/** SLA definitions and escalation policies are data, edited by publishing versions. */
describe('SLA definitions and escalation policies over HTTP', () => {
  let database: TestDatabase;
  let http: App;
  const tokens: Record<string, string> = {};
  const taskQueue = uniqueTaskQueue('sla-config');
  const processes = { incidentProcess: TEST_INCIDENT_PROCESS };

  let stack: StewardStack | undefined;

  beforeAll(async () => {
    stack = await startStewardStack('sla_config', { taskQueue, processes, tokens });
    ({ database, http } = stack);
  });

  afterAll(() => stopStewardStack(stack));

  const as = (part: keyof typeof DEMO_USERS) => ({ Authorization: `Bearer ${tokens[part]}` });

  it('seeds the issue defaults: P1 15 min / 4 h and P2 30 min / 8 h around the clock, P3 and P4 in business hours, P5 planned', async () => {
    const definitions = (await request(http).get('/api/sla/definitions').set(as('auditor')).expect(200)).body;
    const byPriority = Object.fromEntries(definitions.filter((d: { scope: string }) => d.scope === 'default').map((d: { priority: string }) => [d.priority, d]));
    expect(byPriority.P1).toMatchObject({ responseMinutes: 15, resolutionMinutes: 240, businessHours: false, version: 1 });
    expect(byPriority.P2).toMatchObject({ responseMinutes: 30, resolutionMinutes: 480, businessHours: false });
    expect(byPriority.P3).toMatchObject({ responseMinutes: 240, resolutionMinutes: 3 * 8 * 60, businessHours: true });
    expect(byPriority.P4).toMatchObject({ responseMinutes: 8 * 60, resolutionMinutes: 10 * 8 * 60, businessHours: true });
    expect(byPriority.P5).toMatchObject({ responseMinutes: null, resolutionMinutes: null });
  });

  it('publishes a service definition as a new version; incidents already open keep their terms', async () => {
    const service = await addService(database.db, 'svc-sla-edit', 3, 10);
    const before = (await request(http).post('/api/incidents').set(as('serviceDesk')).send({ title: 't', description: 'd', service, impact: 2, urgency: 2 }).expect(201)).body;
    const published = (
      await request(http)
        .put(`/api/sla/definitions/${service}/P3`)
        .set(as('admin'))
        .send({ responseMinutes: 60, resolutionMinutes: 600, businessHours: true, calendar: { weekly: [{ day: 1, start: '08:00', end: '18:00' }], utcOffsetMinutes: 60 } })
        .expect(200)
    ).body;
    expect(published).toMatchObject({ scope: service, priority: 'P3', version: 1, responseMinutes: 60, createdBy: 'grace' });
    const after = (await request(http).post('/api/incidents').set(as('serviceDesk')).send({ title: 't', description: 'd', service, impact: 2, urgency: 2 }).expect(201)).body;

    const oldView = await eventually(async () => (await request(http).get(`/api/incidents/${before.id}`).set(as('auditor')).expect(200)).body, (v) => v.sla !== null);
    const newView = await eventually(async () => (await request(http).get(`/api/incidents/${after.id}`).set(as('auditor')).expect(200)).body, (v) => v.sla !== null);
    expect(oldView.sla).toMatchObject({ definition: 'default/P3@1', response: { targetMs: 4 * 3_600_000 } });
    expect(newView.sla).toMatchObject({ definition: `${service}/P3@1`, response: { targetMs: 3_600_000, businessHours: true } });

    await request(http).put(`/api/sla/definitions/${service}/P3`).set(as('admin')).send({ responseMinutes: 30, resolutionMinutes: 300, businessHours: false }).expect(200);
    const again = (await request(http).get('/api/sla/definitions').set(as('auditor')).expect(200)).body.find((d: { scope: string; priority: string }) => d.scope === service && d.priority === 'P3');
    expect(again).toMatchObject({ version: 2, responseMinutes: 30 });
  });

  it('refuses bad definitions (400), unknown scopes (404) and people who may not edit (403)', async () => {
    const bad = await request(http).put('/api/sla/definitions/default/P3').set(as('admin')).send({ responseMinutes: 0, businessHours: 'yes' }).expect(400);
    expect(bad.body.message).toMatch(/responseMinutes/);
    expect(bad.body.message).toMatch(/businessHours/);
    await request(http)
      .put('/api/sla/definitions/default/P3')
      .set(as('admin'))
      .send({ responseMinutes: 10, resolutionMinutes: 20, businessHours: true, calendar: { weekly: [{ day: 1, start: '18:00', end: '08:00' }], utcOffsetMinutes: 0 } })
      .expect(400);
    await request(http).put('/api/sla/definitions/no-such-service/P3').set(as('admin')).send({ responseMinutes: 10, resolutionMinutes: 20, businessHours: false }).expect(404);
    await request(http).put('/api/sla/definitions/default/P9').set(as('admin')).send({ responseMinutes: 10, resolutionMinutes: 20, businessHours: false }).expect(404);
    await request(http).put('/api/sla/definitions/default/P3').set(as('serviceDesk')).send({ responseMinutes: 10, resolutionMinutes: 20, businessHours: false }).expect(403);
  });

  it('publishes escalation policy versions; the service policy applies to new incidents only', async () => {
    const service = await addService(database.db, 'svc-policy-edit');
    const body = { policyId: 'svc-policy-edit-oncall', name: 'On call', service, levels: [{ targets: ['group:payments-team'], ackTimeoutMinutes: 5 }], repeat: 1 };
    expect((await request(http).post('/api/escalation-policies').set(as('admin')).send(body).expect(201)).body).toEqual({ policyId: body.policyId, version: 1 });
    const incident = (await request(http).post('/api/incidents').set(as('serviceDesk')).send({ title: 't', description: 'd', service, impact: 3, urgency: 3 }).expect(201)).body;
    expect((await request(http).post('/api/escalation-policies').set(as('admin')).send({ ...body, repeat: 0 }).expect(201)).body.version).toBe(2);
    const view = await eventually(async () => (await request(http).get(`/api/incidents/${incident.id}`).set(as('auditor')).expect(200)).body, (v) => v.escalation !== null);
    expect(view.escalation).toMatchObject({ policy: body.policyId, version: 1 });
    const listed = (await request(http).get('/api/escalation-policies').set(as('auditor')).expect(200)).body.filter((p: { policyId: string }) => p.policyId === body.policyId);
    expect(listed.map((p: { version: number }) => p.version)).toEqual([2, 1]);

    const bad = await request(http).post('/api/escalation-policies').set(as('admin')).send({ ...body, levels: [{ targets: ['pager-team'], ackTimeoutMinutes: 0 }] }).expect(400);
    expect(bad.body.message).toMatch(/targets/);
    expect(bad.body.message).toMatch(/ackTimeoutMinutes/);
    await request(http).post('/api/escalation-policies').set(as('admin')).send({ ...body, service: 'no-such-ci' }).expect(400);
    await request(http).post('/api/escalation-policies').set(as('resolver')).send(body).expect(403);
  });
});
