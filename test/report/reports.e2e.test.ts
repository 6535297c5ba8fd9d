import type { NestExpressApplication } from '@nestjs/platform-express';
import { CLOCK_OUTCOMES, incidentFigures, mean, parseCsv, percentileCont, ratio, type IncidentFact, type IncidentFigures } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { DataSource } from 'typeorm';
import { createTestDatabase, startApi, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';

const auditor: Principal = { id: 'frank', name: 'Frank Auditor', roles: ['auditor'], groups: [] };
const owner: Principal = { id: 'olga', name: 'Olga Owner', roles: ['service_owner'], groups: [] };
const desk: Principal = { id: 'sam', name: 'Sam Desk', roles: ['service_desk'], groups: ['service-desk'] };
const requester: Principal = { id: 'alice', name: 'Alice Requester', roles: ['requester'], groups: [] };
const resolver: Principal = { id: 'rita', name: 'Rita Resolver', roles: ['resolver', 'requester'], groups: [] };

const MIN = 60_000;
const TARGETS: Record<string, [number | null, number | null]> = {
  P1: [15 * MIN, 240 * MIN],
  P2: [30 * MIN, 480 * MIN],
  P3: [240 * MIN, 1440 * MIN],
  P4: [480 * MIN, 4800 * MIN],
  P5: [null, null],
};

/** One event after the incident opened, in minutes. */
interface Step {
  type: string;
  after: number;
  data?: Record<string, unknown>;
}

const ack = (after: number): Step => ({ type: 'acknowledged', after });
const breach = (target: 'response' | 'resolution', priority: string, after: number): Step => ({ type: 'sla_breached', after, data: { target, priority, targetMs: 1, dueAt: '' } });
const stop = (target: 'response' | 'resolution', priority: string, after: number, breached: boolean): Step => ({
  type: 'sla_stopped',
  after,
  data: { target, priority, targetMs: 1, elapsedMs: after * MIN, pausedMs: 0, breached },
});
const reclassify = (from: string, to: string, after: number): Step => ({ type: 'reclassified', after, data: { from, to, impact: 2, urgency: 2, reason: 'new facts', slaDefinition: `default:${to}@1` } });
const resolve = (after: number, priority = 'P3'): Step => ({ type: 'resolved', after, data: { resolution: 'fixed', priority } });

/**
 * Reports over HTTP on a real PostgreSQL. The incident workflow that writes incident_event is
 * someone else's; the figures depend only on those rows, so the tests write them directly.
 */
describe('reports over HTTP', () => {
  let database: TestDatabase;
  let db: DataSource;
  let api: NestExpressApplication;
  let http: App;
  const tokens = new Map<string, string>();
  let incidentNumber = 0;
  let changeNumber = 0;

  beforeAll(async () => {
    database = await createTestDatabase('report_e2e');
    db = database.db;
    api = await startApi(database.url, uniqueTaskQueue('report'));
    http = api.getHttpServer() as App;
    for (const p of [auditor, owner, desk, requester, resolver]) tokens.set(p.id, await tokenFor(p));
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const as = (p: Principal) => ({ Authorization: `Bearer ${tokens.get(p.id)}` });
  const get = (path: string, query: Record<string, string>, by: Principal = auditor) => request(http).get(path).query(query).set(as(by));

  /**
   * An incident opened at `openedAt` with these later events. The mutable incident row is
   * written with a different service and priority on purpose: reports must not read it.
   */
  async function openIncident(service: string, priority: string, openedAt: string, steps: Step[] = [], openedData: Record<string, unknown> = {}): Promise<string> {
    incidentNumber += 1;
    const id = `INC-${String(incidentNumber).padStart(6, '0')}`;
    const opened = Date.parse(openedAt);
    await db.query(
      `INSERT INTO incident (id, number, title, description, service_key, reported_impact, impact, urgency, priority, major, classification, state, source, reported_by,
                             escalation_policy_id, escalation_policy_version, workflow_id, opened_at)
       VALUES ($1, $2, 'Report fixture', 'd', 'svc-the-row-says-otherwise', 3, 3, 3, 'P5', false, '{}', 'new', 'api', 'tester', 'default', 1, $3, $4)`,
      [id, incidentNumber, `incident-${id}`, new Date(opened)],
    );
    const [responseTargetMs, resolutionTargetMs] = TARGETS[priority];
    const events: Step[] = [
      { type: 'opened', after: 0, data: { priority, major: priority === 'P1' || priority === 'P2', service, category: 'general', source: 'api', impact: 2, urgency: 2, slaDefinition: `default:${priority}@1`, responseTargetMs, resolutionTargetMs, escalationPolicy: 'default@1', ...openedData } },
      ...steps,
    ];
    await insertEvents(id, opened, events);
    return id;
  }

  async function insertEvents(id: string, opened: number, events: Step[]): Promise<void> {
    const values: unknown[] = [];
    const rows = events.map((e, i) => {
      values.push(id, `${e.type}:${i}`, new Date(opened + Math.round(e.after * MIN)), e.type, 'steward', JSON.stringify(e.data ?? {}));
      const b = i * 6;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}::jsonb)`;
    });
    await db.query(`INSERT INTO incident_event (incident_id, event_key, at, type, actor, data) VALUES ${rows.join(', ')}`, values);
  }

  describe('SLA attainment and incident figures', () => {
    // March 2025: nothing else in this file opens incidents then.
    const period = { from: '2025-03-01T00:00:00Z', to: '2025-04-01T00:00:00Z' };

    beforeAll(async () => {
      // svc-pay P1: met/met, breached/breached, met/running.
      await openIncident('svc-pay', 'P1', '2025-03-03T10:00:00Z', [
        ack(5),
        stop('response', 'P1', 5, false),
        resolve(120, 'P1'),
        stop('resolution', 'P1', 120, false),
        { type: 'closed', after: 600 },
      ]);
      await openIncident('svc-pay', 'P1', '2025-03-04T10:00:00Z', [
        { type: 'escalated', after: 5, data: { level: 1, round: 1, targets: ['group:ops'] } },
        { type: 'escalated', after: 10, data: { level: 2, round: 1, targets: ['group:duty-managers'] } },
        breach('response', 'P1', 15),
        ack(20),
        stop('response', 'P1', 20, true),
        { type: 'stakeholder_update_missed', after: 50, data: { dueAt: '', commander: null } },
        breach('resolution', 'P1', 240),
        resolve(300, 'P1'),
        stop('resolution', 'P1', 300, true),
      ]);
      await openIncident('svc-pay', 'P1', '2025-03-05T10:00:00Z', [ack(10), stop('response', 'P1', 10, false)]);
      // Opened P2, breached the P2 response target, then re-classified P3: that breach does not count.
      await openIncident('svc-pay', 'P2', '2025-03-06T10:00:00Z', [
        breach('response', 'P2', 30),
        reclassify('P2', 'P3', 35),
        ack(50),
        stop('response', 'P3', 50, false),
        breach('resolution', 'P2', 480),
      ]);
      // P5: planned work, no targets.
      await openIncident('svc-pay', 'P5', '2025-03-07T10:00:00Z', [ack(60), resolve(90, 'P5')]);
      // Another service.
      await openIncident('svc-mail', 'P3', '2025-03-08T10:00:00Z', [breach('response', 'P3', 240), ack(250), stop('response', 'P3', 250, true)]);
    });

    it('counts met, breached and running per clock by service and final priority, with an overall row', async () => {
      const report = (await get('/api/reports/sla', period).expect(200)).body;
      expect(report.period).toEqual({ from: '2025-03-01T00:00:00.000Z', to: '2025-04-01T00:00:00.000Z' });
      expect(report.rows.map((r: { service: string; priority: string }) => `${r.service}/${r.priority}`)).toEqual(['svc-mail/P3', 'svc-pay/P1', 'svc-pay/P3', 'svc-pay/P5']);
      const row = (service: string, priority: string) => report.rows.find((r: { service: string; priority: string }) => r.service === service && r.priority === priority);
      expect(row('svc-pay', 'P1')).toEqual({
        service: 'svc-pay',
        priority: 'P1',
        incidents: 3,
        response: { met: 2, breached: 1, running: 0, noTarget: 0, attainment: 0.6667 },
        resolution: { met: 1, breached: 1, running: 1, noTarget: 0, attainment: 0.5 },
      });
      expect(row('svc-pay', 'P3')).toMatchObject({
        incidents: 1,
        response: { met: 1, breached: 0, running: 0, attainment: 1 },
        resolution: { met: 0, breached: 0, running: 1, attainment: null },
      });
      expect(row('svc-pay', 'P5')).toMatchObject({ incidents: 1, response: { noTarget: 1, attainment: null }, resolution: { noTarget: 1, attainment: null } });
      expect(row('svc-mail', 'P3')).toMatchObject({ response: { met: 0, breached: 1, attainment: 0 } });
      expect(report.totals).toEqual({
        incidents: 6,
        response: { met: 3, breached: 2, running: 0, noTarget: 1, attainment: 0.6 },
        resolution: { met: 1, breached: 1, running: 3, noTarget: 1, attainment: 0.5 },
      });
    });

    it('computes MTTA and MTTR (mean and p90) from the event times', async () => {
      const report = (await get('/api/reports/incidents', period).expect(200)).body;
      const p1 = report.rows.find((r: { service: string; priority: string }) => r.service === 'svc-pay' && r.priority === 'P1');
      // Acknowledged after 5, 20 and 10 minutes; resolved after 120 and 300.
      expect(p1).toEqual({
        service: 'svc-pay',
        priority: 'P1',
        opened: 3,
        acknowledged: 3,
        resolved: 2,
        closed: 1,
        major: 3,
        mtta: { samples: 3, meanMs: 700_000, mean: '0:11:40', p90Ms: 18 * MIN, p90: '0:18:00' },
        mttr: { samples: 2, meanMs: 210 * MIN, mean: '3:30:00', p90Ms: 282 * MIN, p90: '4:42:00' },
        missedStakeholderUpdates: 1,
        escalations: 2,
        breaches: 2,
        responseBreaches: 1,
        resolutionBreaches: 1,
      });
      const p3 = report.rows.find((r: { service: string; priority: string }) => r.service === 'svc-pay' && r.priority === 'P3');
      // Opened P2, so it was a major incident; its P2 breaches count for nothing under P3.
      expect(p3).toMatchObject({ opened: 1, acknowledged: 1, resolved: 0, major: 1, breaches: 0, mtta: { meanMs: 50 * MIN, mean: '0:50:00' }, mttr: { samples: 0, meanMs: null, mean: null, p90Ms: null, p90: null } });
      expect(report.totals).toMatchObject({ opened: 6, acknowledged: 6, resolved: 3, closed: 1, major: 4, escalations: 2, missedStakeholderUpdates: 1, breaches: 3 });
      // Acknowledged after 5, 20, 10, 50, 60, 250 minutes.
      expect(report.totals.mtta.meanMs).toBe(Math.round(((5 + 20 + 10 + 50 + 60 + 250) / 6) * MIN));
      expect(report.totals.mtta.p90Ms).toBe(Math.round(percentileCont([5, 20, 10, 50, 60, 250], 0.9)! * MIN));
    });

    it('reads the events, not the mutable incident row', async () => {
      const rows = (await get('/api/reports/incidents', { ...period, service: 'svc-the-row-says-otherwise' }).expect(200)).body.rows;
      expect(rows).toEqual([]);
    });

    it('filters by service and by final priority', async () => {
      const byService = (await get('/api/reports/sla', { ...period, service: 'svc-mail' }).expect(200)).body;
      expect(byService.filters).toEqual({ service: 'svc-mail' });
      expect(byService.rows).toHaveLength(1);
      expect(byService.totals.incidents).toBe(1);
      const byPriority = (await get('/api/reports/sla', { ...period, priority: 'P3' }).expect(200)).body;
      expect(byPriority.rows.map((r: { service: string }) => r.service)).toEqual(['svc-mail', 'svc-pay']);
      // The incident opened P2 and re-classified P3 is a P3 now, and only that.
      expect((await get('/api/reports/sla', { ...period, priority: 'P2' }).expect(200)).body.totals.incidents).toBe(0);
    });

    it('gives the same figures as CSV, quoted as RFC 4180 says', async () => {
      const json = (await get('/api/reports/sla', period).expect(200)).body;
      const response = await get('/api/reports/sla', { ...period, format: 'csv' }).expect(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe('attachment; filename="steward-sla-report-20250301T000000Z-20250401T000000Z.csv"');
      expect(response.text.endsWith('\r\n')).toBe(true);
      const [header, ...records] = parseCsv(response.text);
      expect(header.slice(0, 8)).toEqual(['service', 'priority', 'incidents', 'response_met', 'response_breached', 'response_running', 'response_no_target', 'response_attainment']);
      expect(records).toHaveLength(json.rows.length + 1);
      const asObject = (record: string[]) => Object.fromEntries(header.map((h, i) => [h, record[i]]));
      const p1 = asObject(records.find((r) => r[0] === 'svc-pay' && r[1] === 'P1')!);
      expect(p1).toMatchObject({ incidents: '3', response_met: '2', response_breached: '1', response_attainment: '0.6667', resolution_running: '1', resolution_attainment: '0.5' });
      expect(asObject(records[records.length - 1])).toMatchObject({ service: '(all)', priority: '(all)', incidents: '6', response_attainment: '0.6' });
      expect(asObject(records.find((r) => r[1] === 'P5')!)).toMatchObject({ response_attainment: '' });

      const incidents = await get('/api/reports/incidents', { ...period, format: 'csv' }).expect(200);
      const [iHeader, ...iRecords] = parseCsv(incidents.text);
      const pay = Object.fromEntries(iHeader.map((h, i) => [h, iRecords.find((r) => r[0] === 'svc-pay' && r[1] === 'P1')![i]]));
      expect(pay).toMatchObject({ opened: '3', mtta_mean_ms: '700000', mtta_mean: '0:11:40', mttr_p90: '4:42:00', missed_stakeholder_updates: '1', escalations: '2', breaches: '2' });
    });

    it('quotes a service name that needs it', async () => {
      const quirky = { from: '2025-05-01T00:00:00Z', to: '2025-05-02T00:00:00Z' };
      // Not a valid CI key: the CMDB would refuse it, but the report must not break a file on it.
      await openIncident('svc "edge", case', 'P4', '2025-05-01T01:00:00Z', [ack(3)]);
      const [header, first, totals] = parseCsv((await get('/api/reports/incidents', { ...quirky, format: 'csv' }).expect(200)).text);
      expect(header[0]).toBe('service');
      expect(first.slice(0, 4)).toEqual(['svc "edge", case', 'P4', '1', '1']);
      expect(totals[0]).toBe('(all)');
    });
  });

  describe('the period', () => {
    const period = { from: '2025-06-01T00:00:00Z', to: '2025-06-02T00:00:00Z' };

    beforeAll(async () => {
      await openIncident('svc-edge', 'P3', '2025-05-31T23:59:59.999Z', [ack(1)]); // before: out
      await openIncident('svc-edge', 'P3', '2025-06-01T00:00:00Z', [ack(2)]); // at from: in
      await openIncident('svc-edge', 'P3', '2025-06-01T23:59:00Z', [ack(3000)]); // in; acknowledged after to: still counted
      await openIncident('svc-edge', 'P3', '2025-06-02T00:00:00Z', [ack(4)]); // at to: out (exclusive)
    });

    it('takes incidents by when they opened, from inclusive and to exclusive', async () => {
      const report = (await get('/api/reports/incidents', period).expect(200)).body;
      expect(report.totals).toMatchObject({ opened: 2, acknowledged: 2, mtta: { samples: 2, meanMs: 1501 * MIN } });
    });

    it('accepts offsets other than Z', async () => {
      const report = (await get('/api/reports/incidents', { from: '2025-06-01T02:00:00+02:00', to: '2025-06-01T20:00:00-04:00' }).expect(200)).body;
      expect(report.period).toEqual({ from: '2025-06-01T00:00:00.000Z', to: '2025-06-02T00:00:00.000Z' });
      expect(report.totals.opened).toBe(2);
    });

    it('defaults to the last 30 days', async () => {
      const now = Date.now();
      await openIncident('svc-recent', 'P2', new Date(now - 2 * 86_400_000).toISOString(), [ack(7)]);
      await openIncident('svc-recent', 'P2', new Date(now - 31 * 86_400_000).toISOString(), [ack(7)]);
      const report = (await get('/api/reports/incidents', { service: 'svc-recent' }).expect(200)).body;
      const span = Date.parse(report.period.to) - Date.parse(report.period.from);
      expect(span).toBe(30 * 86_400_000);
      expect(Math.abs(Date.parse(report.period.to) - now)).toBeLessThan(60_000);
      expect(report.totals.opened).toBe(1);
    });

    it('refuses a bad period or filter with 400 naming each field', async () => {
      const bad = (await get('/api/reports/sla', { from: 'yesterday', to: '2025-02-30T00:00:00Z', priority: 'P9', format: 'xlsx', service: 'has spaces' }).expect(400)).body;
      expect(bad.details.map((d: { field: string }) => d.field).sort()).toEqual(['format', 'from', 'priority', 'service', 'to']);
      expect(bad.message).toContain('from must be an ISO 8601 timestamp');

      const inverted = (await get('/api/reports/incidents', { from: '2025-06-02T00:00:00Z', to: '2025-06-01T00:00:00Z' }).expect(400)).body;
      expect(inverted.message).toBe('to must be after from');
      await get('/api/reports/changes', { from: '2025-06-01T00:00:00Z', to: '2025-06-01T00:00:00Z' }).expect(400);

      const future = (await get('/api/reports/incidents', { from: '2999-01-01T00:00:00Z' }).expect(400)).body;
      expect(future.details).toEqual([{ field: 'from', message: expect.stringContaining('defaults to now') }]);

      const unknown = (await get('/api/reports/changes', { service: 'svc-pay' }).expect(400)).body;
      expect(unknown.message).toContain('service');
      // A refused CSV request still answers JSON.
      const csv = await get('/api/reports/sla', { from: 'nope', format: 'csv' }).expect(400);
      expect(csv.headers['content-type']).toMatch(/^application\/json/);
    });
  });

  describe('who may read', () => {
    it('refuses a requester with 403 saying which roles may, and a call without a token with 401', async () => {
      for (const path of ['/api/reports/sla', '/api/reports/incidents', '/api/reports/changes']) {
        const refused = (await get(path, {}, requester).expect(403)).body;
        expect(refused.message).toBe('requires one of the roles: auditor, change_manager, service_owner, problem_manager, incident_commander, service_desk, admin');
        await get(path, {}, resolver).expect(403);
        await request(http).get(path).expect(401);
      }
    });

    it('lets service owners and the service desk read', async () => {
      await get('/api/reports/sla', {}, owner).expect(200);
      await get('/api/reports/incidents', { format: 'csv' }, desk).expect(200);
    });
  });

  describe('the figures cannot be edited', () => {
    const period = { from: '2025-07-01T00:00:00Z', to: '2025-07-02T00:00:00Z' };

    it('refuses UPDATE, DELETE and TRUNCATE of incident events, and the report stays as it was', async () => {
      const id = await openIncident('svc-tamper', 'P1', '2025-07-01T08:00:00Z', [breach('response', 'P1', 15), ack(40), stop('response', 'P1', 40, true)]);
      const before = (await get('/api/reports/sla', period).expect(200)).body;
      expect(before.totals.response).toMatchObject({ met: 0, breached: 1 });

      // A connection of its own: the attempts are meant to fail, and TypeORM would log each one.
      const tamperer = new PgClient({ connectionString: database.url });
      await tamperer.connect();
      try {
        await expect(tamperer.query(`UPDATE incident_event SET data = jsonb_set(data, '{breached}', 'false') WHERE incident_id = $1 AND type = 'sla_stopped'`, [id])).rejects.toThrow(
          'incident_event is append-only',
        );
        await expect(tamperer.query(`UPDATE incident_event SET at = at - interval '30 minutes' WHERE incident_id = $1 AND type = 'acknowledged'`, [id])).rejects.toThrow('append-only');
        await expect(tamperer.query(`DELETE FROM incident_event WHERE incident_id = $1 AND type = 'sla_breached'`, [id])).rejects.toThrow('append-only');
        await expect(tamperer.query(`TRUNCATE incident_event`)).rejects.toThrow('append-only');
      } finally {
        await tamperer.end();
      }
      // Rewriting the incident row changes nothing either: reports do not read it.
      await db.query(`UPDATE incident SET priority = 'P4', acknowledged_at = opened_at WHERE id = $1`, [id]);

      expect((await get('/api/reports/sla', period).expect(200)).body).toEqual(before);
    });
  });

  describe('agreement with the rule in libs/domain', () => {
    // August 2025: random histories, checked against incidentFigures + mean/percentileCont.
    const period = { from: '2025-08-01T00:00:00Z', to: '2025-09-01T00:00:00Z' };
    const expected: IncidentFigures[] = [];

    beforeAll(async () => {
      let seed = 20250801;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
      const priorities = ['P1', 'P2', 'P3', 'P4', 'P5'];
      for (let n = 0; n < 120; n++) {
        const service = pick(['svc-r1', 'svc-r2', 'svc-r3']);
        const opened = pick(priorities);
        const openedAt = Date.parse(period.from) + Math.floor(random() * 30 * 86_400_000);
        const steps: Step[] = [];
        let current = opened;
        for (let k = 0; k < 3; k++) {
          if (random() < 0.15) {
            const to = pick(priorities);
            steps.push(reclassify(current, to, random() * 600));
            current = to;
          }
        }
        for (const target of ['response', 'resolution'] as const) {
          if (random() < 0.35) steps.push(breach(target, pick([opened, current]), random() * 600));
          if (random() < 0.5) steps.push(stop(target, current, random() * 900, random() < 0.3));
        }
        if (random() < 0.75) steps.push(ack(random() * 300));
        if (random() < 0.55) steps.push(resolve(300 + random() * 3000, current));
        if (random() < 0.3) steps.push({ type: 'closed', after: 4000 });
        for (let k = Math.floor(random() * 3); k > 0; k--) steps.push({ type: 'escalated', after: random() * 60, data: { level: k, round: 1, targets: [] } });
        if (random() < 0.2) steps.push({ type: 'stakeholder_update_missed', after: 30 + random() * 60, data: { dueAt: '', commander: null } });
        const shuffled = steps.sort(() => random() - 0.5);
        await openIncident(service, opened, new Date(openedAt).toISOString(), shuffled);
        const facts: IncidentFact[] = [{ type: 'opened', at: new Date(openedAt), data: { priority: opened, major: opened === 'P1' || opened === 'P2', service, responseTargetMs: TARGETS[opened][0], resolutionTargetMs: TARGETS[opened][1] } }];
        for (const s of shuffled) facts.push({ type: s.type, at: new Date(openedAt + Math.round(s.after * MIN)), data: s.data ?? {} });
        expected.push(incidentFigures(facts)!);
      }
    });

    const groups = () => {
      const map = new Map<string, IncidentFigures[]>();
      for (const f of expected) map.set(`${f.service}/${f.priority}`, [...(map.get(`${f.service}/${f.priority}`) ?? []), f]);
      return map;
    };
    const ms = (values: number[], figure: 'mean' | 'p90') => {
      const value = figure === 'mean' ? mean(values) : percentileCont(values, 0.9);
      return value === null ? null : Math.round(value);
    };

    it('the SLA report counts every clock as incidentFigures does', async () => {
      const report = (await get('/api/reports/sla', period).expect(200)).body;
      const want = [...groups()].sort(([a], [b]) => (a < b ? -1 : 1));
      expect(report.rows.map((r: { service: string; priority: string }) => `${r.service}/${r.priority}`)).toEqual(want.map(([key]) => key));
      const clock = (list: IncidentFigures[], kind: 'response' | 'resolution') => {
        const count = Object.fromEntries(CLOCK_OUTCOMES.map((o) => [o, list.filter((f) => f[kind] === o).length]));
        return { met: count.met, breached: count.breached, running: count.running, noTarget: count.no_target, attainment: ratio(count.met, count.met + count.breached) };
      };
      for (const [key, list] of want) {
        const row = report.rows.find((r: { service: string; priority: string }) => `${r.service}/${r.priority}` === key);
        expect({ key, incidents: row.incidents, response: row.response, resolution: row.resolution }).toEqual({ key, incidents: list.length, response: clock(list, 'response'), resolution: clock(list, 'resolution') });
      }
      expect(report.totals).toEqual({ incidents: expected.length, response: clock(expected, 'response'), resolution: clock(expected, 'resolution') });
      // The random histories reach every outcome, or this test would prove less than it says.
      for (const outcome of CLOCK_OUTCOMES) expect(expected.some((f) => f.response === outcome || f.resolution === outcome)).toBe(true);
    });

    it('the incident report counts and times every group as the domain statistics do', async () => {
      const report = (await get('/api/reports/incidents', period).expect(200)).body;
      const figures = (list: IncidentFigures[]) => {
        const ackMs = list.filter((f) => f.acknowledgedAt).map((f) => f.acknowledgedAt!.getTime() - f.openedAt.getTime());
        const resolveMs = list.filter((f) => f.resolvedAt).map((f) => f.resolvedAt!.getTime() - f.openedAt.getTime());
        const response = list.filter((f) => f.response === 'breached').length;
        const resolution = list.filter((f) => f.resolution === 'breached').length;
        return {
          opened: list.length,
          acknowledged: ackMs.length,
          resolved: resolveMs.length,
          closed: list.filter((f) => f.closed).length,
          major: list.filter((f) => f.major).length,
          mttaMean: ms(ackMs, 'mean'),
          mttaP90: ms(ackMs, 'p90'),
          mttrMean: ms(resolveMs, 'mean'),
          mttrP90: ms(resolveMs, 'p90'),
          missedStakeholderUpdates: list.reduce((n, f) => n + f.missedStakeholderUpdates, 0),
          escalations: list.reduce((n, f) => n + f.escalations, 0),
          breaches: response + resolution,
        };
      };
      type Row = Record<string, number> & { mtta: { meanMs: number; p90Ms: number }; mttr: { meanMs: number; p90Ms: number } };
      const actual = (r: Row) => ({
        opened: r.opened,
        acknowledged: r.acknowledged,
        resolved: r.resolved,
        closed: r.closed,
        major: r.major,
        mttaMean: r.mtta.meanMs,
        mttaP90: r.mtta.p90Ms,
        mttrMean: r.mttr.meanMs,
        mttrP90: r.mttr.p90Ms,
        missedStakeholderUpdates: r.missedStakeholderUpdates,
        escalations: r.escalations,
        breaches: r.breaches,
      });
      for (const [key, list] of groups()) {
        const row = report.rows.find((r: { service: string; priority: string }) => `${r.service}/${r.priority}` === key);
        expect({ key, ...actual(row) }).toEqual({ key, ...figures(list) });
      }
      expect(actual(report.totals)).toEqual(figures(expected));
    });
  });

  describe('change report', () => {
    const period = { from: '2025-09-01T00:00:00Z', to: '2025-10-01T00:00:00Z' };

    /** A change submitted at `submittedAt`, then these state transitions (minutes after). */
    async function change(type: string, submittedAt: string, transitions: Array<[string, number]>, failure?: { endState: string; production: boolean }): Promise<string> {
      changeNumber += 1;
      const id = `CHG-${String(900_000 + changeNumber)}`;
      const at = Date.parse(submittedAt);
      await db.query(
        `INSERT INTO change_request (id, number, title, description, type, justification, ci_keys, plan, plan_hash, backout_plan, state, requester_id, requester_name, workflow_id)
         VALUES ($1, $2, 'Report fixture', 'd', $3, 'j', '{app-x}', '{"steps":[]}', repeat('0', 64), 'b', 'submitted', 'alice', 'Alice', $4)`,
        [id, 900_000 + changeNumber, type, `change-${id}`],
      );
      const values: unknown[] = [id, new Date(at), JSON.stringify({ type, cis: ['app-x'], planHash: '0' })];
      const rows = [`($1, 'submitted', $2, 'submitted', 'alice', $3::jsonb)`];
      let previous = 'submitted';
      transitions.forEach(([to, after], i) => {
        values.push(`transition:${i}`, new Date(at + after * MIN), JSON.stringify({ from: previous, to }));
        rows.push(`($1, $${values.length - 2}, $${values.length - 1}, 'state_changed', 'steward', $${values.length}::jsonb)`);
        previous = to;
      });
      await db.query(`INSERT INTO change_event (change_id, event_key, at, type, actor, data) VALUES ${rows.join(', ')}`, values);
      if (failure) {
        await db.query(`INSERT INTO change_failure (change_id, at, end_state, reason, production) VALUES ($1, $2, $3, 'step deploy failed', $4)`, [id, new Date(at + 100 * MIN), failure.endState, failure.production]);
      }
      return id;
    }

    beforeAll(async () => {
      const path = (lead: number, end: string): Array<[string, number]> => [
        ['assessing', 1],
        ['awaiting_approval', 2],
        ['scheduled', lead],
        ['implementing', lead + 60],
        [end, lead + 90],
      ];
      await change('normal', '2025-09-02T09:00:00Z', path(60, 'completed'));
      await change('normal', '2025-09-03T09:00:00Z', path(180, 'completed'));
      await change('normal', '2025-09-04T09:00:00Z', path(120, 'rolled_back'), { endState: 'rolled_back', production: true });
      await change('normal', '2025-09-05T09:00:00Z', [['assessing', 1], ['awaiting_approval', 2], ['rejected', 30]]);
      // Edited after approval: the first transition to scheduled is the lead time.
      await change('normal', '2025-09-06T09:00:00Z', [['assessing', 1], ['awaiting_approval', 2], ['scheduled', 240], ['awaiting_approval', 300], ['scheduled', 400]]);
      await change('emergency', '2025-09-07T09:00:00Z', path(20, 'failed'), { endState: 'failed', production: false });
      await change('standard', '2025-09-08T09:00:00Z', path(0, 'completed'));
      await change('standard', '2025-09-09T09:00:00Z', [['assessing', 1], ['cancelled', 5]]);
      // A failure on record with no final transition event yet still counts as how the change ended.
      await change('emergency', '2025-09-10T09:00:00Z', [['assessing', 1]], { endState: 'rolled_back', production: true });
      // Outside the period.
      await change('normal', '2025-08-31T23:00:00Z', path(60, 'completed'));
      await db.query(`INSERT INTO discovery_run (source, at, items, matched, drifted, unauthorized) VALUES ('scan', '2025-09-15T00:00:00Z', 10, 7, 3, 2), ('scan', '2025-09-20T00:00:00Z', 10, 9, 1, 1), ('scan', '2025-10-02T00:00:00Z', 5, 0, 5, 5)`);
    });

    it('gives outcomes, success rate, approval lead time by type, emergency ratio and unauthorized changes', async () => {
      const report = (await get('/api/reports/changes', period).expect(200)).body;
      expect(report.rows.map((r: { type: string }) => r.type)).toEqual(['emergency', 'normal', 'standard']);
      const normal = report.rows.find((r: { type: string }) => r.type === 'normal');
      // Lead times 60, 180, 120 and 240 minutes: mean 150; p90 at rank 2.7 of [60, 120, 180, 240] = 222.
      expect(normal).toEqual({
        type: 'normal',
        share: 0.5556,
        submitted: 5,
        completed: 2,
        rolledBack: 1,
        failed: 0,
        rejected: 1,
        cancelled: 0,
        open: 1,
        failedInProduction: 1,
        successRate: 0.6667,
        approvalLeadTime: { samples: 4, meanMs: 150 * MIN, mean: '2:30:00', p90Ms: 222 * MIN, p90: '3:42:00' },
      });
      expect(report.rows.find((r: { type: string }) => r.type === 'emergency')).toMatchObject({ submitted: 2, failed: 1, rolledBack: 1, successRate: 0, failedInProduction: 1 });
      expect(report.rows.find((r: { type: string }) => r.type === 'standard')).toMatchObject({ submitted: 2, completed: 1, cancelled: 1, successRate: 1, approvalLeadTime: { samples: 1, meanMs: 0, mean: '0:00:00' } });
      expect(report.totals).toMatchObject({
        submitted: 9,
        completed: 3,
        rolledBack: 2,
        failed: 1,
        successRate: 0.5,
        failedInProduction: 2,
        emergencyRatio: 0.2222,
        unauthorizedChanges: 3,
      });
    });

    it('writes the same as CSV, with the whole-period figures on the totals record', async () => {
      const response = await get('/api/reports/changes', { ...period, format: 'csv' }).expect(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(/^attachment; filename="steward-changes-report-20250901T000000Z-20251001T000000Z\.csv"$/);
      const [header, ...records] = parseCsv(response.text);
      const objects = records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
      expect(objects.map((o) => o.type)).toEqual(['emergency', 'normal', 'standard', '(all)']);
      expect(objects[1]).toMatchObject({ submitted: '5', success_rate: '0.6667', approval_lead_time_mean: '2:30:00', emergency_ratio: '', unauthorized_changes: '' });
      expect(objects[3]).toMatchObject({ submitted: '9', emergency_ratio: '0.2222', unauthorized_changes: '3' });
    });

    it('answers zeros and nulls, not errors, for an empty period', async () => {
      const report = (await get('/api/reports/changes', { from: '2001-01-01T00:00:00Z', to: '2001-02-01T00:00:00Z' }).expect(200)).body;
      expect(report.rows).toEqual([]);
      expect(report.totals).toMatchObject({ submitted: 0, successRate: null, emergencyRatio: null, unauthorizedChanges: 0, approvalLeadTime: { samples: 0, meanMs: null } });
      const sla = (await get('/api/reports/sla', { from: '2001-01-01T00:00:00Z', to: '2001-02-01T00:00:00Z', format: 'csv' }).expect(200)).text;
      expect(parseCsv(sla)).toHaveLength(2);
    });
  });
});
