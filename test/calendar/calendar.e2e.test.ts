import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Principal } from '@steward/identity';
import { ChangeRequestEntity, seedDemoData } from '@steward/persistence';
import { DateTime } from 'luxon';
import request from 'supertest';
import type { App } from 'supertest/types';
import { insertChange } from '../support/fixtures';
import { createTestDatabase, startApi, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';

const admin: Principal = { id: 'grace', name: 'Grace', roles: ['admin'], groups: [] };
const manager: Principal = { id: 'dave', name: 'Dave', roles: ['change_manager'], groups: [] };
const dba: Principal = { id: 'dan', name: 'Dan DBA', roles: ['requester'], groups: ['dba'] };
const auditor: Principal = { id: 'frank', name: 'Frank', roles: ['auditor'], groups: [] };

const SATURDAY_NIGHT = 'DTSTART;TZID=Europe/Paris:20261003T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA';
// Three Saturdays around the end of summer time in Paris (25 October 2026).
const OCTOBER = { from: '2026-10-17T00:00:00+02:00', to: '2026-11-07T00:00:00+01:00' };

type Occurrence = { id: string; name: string; start: string; end: string; timezone: string; scope: { cis: string[]; tags: string[] } };

/** The change calendar over HTTP on a real PostgreSQL: windows, freezes, the calendar, iCalendar, scheduling. */
describe('change calendar over HTTP', () => {
  let database: TestDatabase;
  let api: NestExpressApplication;
  let http: App;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase('calendar_e2e');
    await seedDemoData(database.db);
    api = await startApi(database.url, uniqueTaskQueue('calendar-e2e'));
    http = api.getHttpServer() as App;
    for (const p of [admin, manager, dba, auditor]) tokens.set(p.id, await tokenFor(p));
    // Test CIs of their own, so that windows declared here confine nothing else.
    for (const [key, ownerGroup] of [
      ['app-cal', 'dba'],
      ['app-perm', 'dba'],
      ['app-web', 'platform'],
      ['db-web', 'dba'],
      ['app-other', 'platform'],
      ['svc-free', 'platform'],
    ]) {
      await request(http)
        .post('/api/cis')
        .set(as(admin))
        .send({ key, name: key, type: 'application', environment: 'production', criticality: 2, ownerGroup })
        .expect(201);
    }
    await request(http).post('/api/cis/app-web/relationships').set(as(admin)).send({ type: 'depends_on', target: 'db-web' }).expect(201);
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const as = (p: Principal) => ({ Authorization: `Bearer ${tokens.get(p.id)}` });
  const windowBody = (over: Record<string, unknown> = {}) => ({
    name: 'Test Saturday night',
    rrule: SATURDAY_NIGHT,
    durationMinutes: 240,
    timezone: 'Europe/Paris',
    scope: { cis: ['app-cal'] },
    ...over,
  });
  const freezeBody = (over: Record<string, unknown> = {}) => ({
    name: 'Test freeze',
    start: '2030-01-10T00:00:00+01:00',
    end: '2030-01-12T00:00:00+01:00',
    reason: 'testing',
    scope: { cis: ['app-perm'] },
    ...over,
  });
  const createWindow = (body: Record<string, unknown>, by: Principal = admin) => request(http).post('/api/maintenance-windows').set(as(by)).send(body);
  const createFreeze = (body: Record<string, unknown>, by: Principal = admin) => request(http).post('/api/freezes').set(as(by)).send(body);
  const fields = (response: request.Response): string[] => response.body.details.map((d: { field: string }) => d.field);
  const auditActions = async (entity: string, id: string) =>
    (await request(http).get('/api/audit').query({ entity, id }).set(as(auditor)).expect(200)).body.map((e: { action: string; actor: string }) => [e.action, e.actor]);

  /** A change row with a schedule, as the change workflow will leave it once scheduled. */
  async function scheduledChange(title: string, cis: string[], schedule: [string, string] | null, state = 'scheduled'): Promise<string> {
    const { changeId } = await insertChange(database.db);
    await database.db.getRepository(ChangeRequestEntity).update(
      { id: changeId },
      { title, ciKeys: cis, state: state as ChangeRequestEntity['state'], scheduleStart: schedule ? new Date(schedule[0]) : null, scheduleEnd: schedule ? new Date(schedule[1]) : null },
    );
    return changeId;
  }

  let saturdayId: string;

  describe('maintenance windows', () => {
    it('declares a window and shows its next three occurrences in its own zone', async () => {
      const created = (await createWindow(windowBody()).expect(201)).body;
      saturdayId = created.id;
      expect(created).toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        name: 'Test Saturday night',
        rrule: SATURDAY_NIGHT,
        durationMinutes: 240,
        timezone: 'Europe/Paris',
        scope: { cis: ['app-cal'], tags: [] },
        createdBy: 'grace',
      });
      expect(created.nextOccurrences).toHaveLength(3);
      for (const o of created.nextOccurrences as Array<{ start: string; end: string }>) {
        const local = DateTime.fromISO(o.start).setZone('Europe/Paris');
        expect([local.weekday, local.hour, local.minute]).toEqual([6, 22, 0]);
        expect(Date.parse(o.end) - Date.parse(o.start)).toBe(240 * 60_000);
        expect(Date.parse(o.end)).toBeGreaterThan(Date.now());
      }
      const read = (await request(http).get(`/api/maintenance-windows/${created.id}`).set(as(auditor)).expect(200)).body;
      expect(read).toEqual(created);
    });

    it('lists windows, the two demo windows among them', async () => {
      const list = (await request(http).get('/api/maintenance-windows').set(as(auditor)).expect(200)).body as Array<{ name: string; scope: unknown; timezone: string }>;
      expect(list.map((w) => w.name)).toEqual(expect.arrayContaining(['Payments Sunday night', 'Intranet weekday evening', 'Test Saturday night']));
      expect(list.find((w) => w.name === 'Payments Sunday night')).toMatchObject({ timezone: 'Europe/Paris', scope: { cis: [], tags: ['pci'] } });
      expect(list.find((w) => w.name === 'Intranet weekday evening')).toMatchObject({ timezone: 'Europe/London', scope: { cis: ['svc-intranet'], tags: [] } });
      // Seeding again adds no second copy.
      await seedDemoData(database.db);
      const again = (await request(http).get('/api/maintenance-windows').set(as(auditor)).expect(200)).body as Array<{ name: string }>;
      expect(again.filter((w) => w.name === 'Payments Sunday night')).toHaveLength(1);
    });

    it('names every invalid field: rrule, time zone, duration, name', async () => {
      const response = await createWindow(windowBody({ name: '', rrule: 'RRULE:FREQ=WEEKLY;BYDAY=SA', timezone: 'Mars/Olympus_Mons', durationMinutes: 0 })).expect(400);
      expect(fields(response)).toEqual(expect.arrayContaining(['name', 'rrule', 'timezone', 'durationMinutes']));
      expect(response.body.message).toContain('rrule: DTSTART is missing');
      expect(response.body.message).toContain('timezone: must be an IANA time zone such as Europe/Paris, got "Mars/Olympus_Mons"');
      expect(response.body.message).toContain('durationMinutes: must be a whole number of minutes from 1 to 10080');

      const badRule = await createWindow(windowBody({ rrule: 'DTSTART:20261205T220000\nRRULE:FREQ=FORTNIGHTLY' })).expect(400);
      expect(badRule.body.message).toMatch(/^rrule: FREQ must be one of/);
      expect(fields(badRule)).toEqual(['rrule']);
      const wrongType = await createWindow(windowBody({ rrule: 42, durationMinutes: '60' })).expect(400);
      expect(fields(wrongType)).toEqual(expect.arrayContaining(['rrule', 'durationMinutes']));
      await createWindow(windowBody({ scope: { cis: ['has spaces'] } })).expect(400);
      await createWindow(windowBody({ colour: 'blue' })).expect(400);
    });

    it('refuses CI keys the CMDB does not know, naming scope.cis and the keys', async () => {
      const response = await createWindow(windowBody({ scope: { cis: ['app-cal', 'ghost-1', 'ghost-2'] } })).expect(400);
      expect(response.body.message).toBe('scope.cis: unknown configuration items: ghost-1, ghost-2');
      expect(fields(response)).toEqual(['scope.cis']);
    });

    it('lets the owner group of every CI in scope write, and no one else but admins and change managers', async () => {
      const own = (await createWindow(windowBody({ name: 'DBA window', scope: { cis: ['app-perm', 'db-web'] } }), dba).expect(201)).body;
      const mixed = await createWindow(windowBody({ scope: { cis: ['app-perm', 'app-web'] } }), dba).expect(403);
      expect(mixed.body.message).toBe('requires the role admin or change_manager, or membership of the owner group platform');
      const tagged = await createWindow(windowBody({ scope: { tags: ['pci'] } }), dba).expect(403);
      expect(tagged.body.message).toBe('a maintenance window scoped by tags or covering every CI requires the role admin or change_manager');
      await createWindow(windowBody({ scope: {} }), dba).expect(403);
      await createWindow(windowBody({ scope: { cis: ['app-perm'] } }), auditor).expect(403);

      // Deleting follows the same rule, on the stored scope.
      const intranet = ((await request(http).get('/api/maintenance-windows').set(as(auditor))).body as Array<{ id: string; name: string }>).find((w) => w.name === 'Intranet weekday evening');
      await request(http).delete(`/api/maintenance-windows/${intranet?.id}`).set(as(dba)).expect(403);
      const managers = (await createWindow(windowBody({ name: 'Manager window', scope: { cis: ['app-perm'] } }), manager).expect(201)).body;
      await request(http).delete(`/api/maintenance-windows/${managers.id}`).set(as(dba)).expect(204);
      await request(http).delete(`/api/maintenance-windows/${own.id}`).set(as(dba)).expect(204);
    });

    it('deletes a window, then answers 404 for it and for malformed ids', async () => {
      const created = (await createWindow(windowBody({ name: 'Short-lived', scope: { cis: ['app-perm'] } })).expect(201)).body;
      await request(http).delete(`/api/maintenance-windows/${created.id}`).set(as(admin)).expect(204);
      await request(http).get(`/api/maintenance-windows/${created.id}`).set(as(auditor)).expect(404);
      await request(http).delete(`/api/maintenance-windows/${created.id}`).set(as(admin)).expect(404);
      for (const id of ['abc', '0', '-1', '99999999999999999999', '1.5']) await request(http).get(`/api/maintenance-windows/${id}`).set(as(auditor)).expect(404);
      expect(await auditActions('maintenance_window', created.id)).toEqual([
        ['calendar.window_created', 'grace'],
        ['calendar.window_deleted', 'grace'],
      ]);
    });

    it('audits creation with the window', async () => {
      const events = (await request(http).get('/api/audit').query({ entity: 'maintenance_window', id: saturdayId }).set(as(auditor)).expect(200)).body;
      expect(events).toEqual([
        expect.objectContaining({
          action: 'calendar.window_created',
          actor: 'grace',
          data: { name: 'Test Saturday night', rrule: SATURDAY_NIGHT, durationMinutes: 240, timezone: 'Europe/Paris', scope: { cis: ['app-cal'], tags: [] } },
        }),
      ]);
    });
  });

  describe('freezes', () => {
    it('declares a freeze and reads it back in UTC', async () => {
      const created = (await createFreeze(freezeBody({ name: 'Ledger close', allowEmergency: true })).expect(201)).body;
      expect(created).toEqual({
        id: expect.stringMatching(/^\d+$/),
        name: 'Ledger close',
        start: '2030-01-09T23:00:00.000Z',
        end: '2030-01-11T23:00:00.000Z',
        reason: 'testing',
        scope: { cis: ['app-perm'], tags: [] },
        allowEmergency: true,
        createdBy: 'grace',
        createdAt: expect.any(String),
      });
      expect((await request(http).get(`/api/freezes/${created.id}`).set(as(auditor)).expect(200)).body).toEqual(created);
      expect((await createFreeze(freezeBody({ scope: undefined }), manager).expect(201)).body.allowEmergency).toBe(false);
    });

    it('names invalid fields: no offset, end before start, impossible dates, unknown CIs', async () => {
      const noOffset = await createFreeze(freezeBody({ start: '2030-01-10T00:00:00' })).expect(400);
      expect(noOffset.body.message).toBe('start must be an ISO 8601 timestamp with an offset, such as 2026-12-05T22:00:00+01:00');
      const backwards = await createFreeze(freezeBody({ end: '2030-01-09T00:00:00+01:00' })).expect(400);
      expect(backwards.body.message).toBe('end must be after start');
      expect(fields(backwards)).toEqual(['end']);
      await createFreeze(freezeBody({ end: '2030-01-10T00:00:00+01:00' })).expect(400);
      const impossible = await createFreeze(freezeBody({ start: '2030-02-30T00:00:00Z' })).expect(400);
      expect(fields(impossible)).toEqual(['start']);
      const many = await createFreeze({ name: ' ', start: 'tomorrow', end: 5, reason: '', allowEmergency: 'yes' }).expect(400);
      expect(fields(many)).toEqual(expect.arrayContaining(['name', 'start', 'end', 'reason', 'allowEmergency']));
      const unknown = await createFreeze(freezeBody({ scope: { cis: ['ghost-3'] } })).expect(400);
      expect(unknown.body.message).toBe('scope.cis: unknown configuration items: ghost-3');
    });

    it('lets only owner groups of every CI in scope declare, and only admins or change managers freeze everything', async () => {
      const own = (await createFreeze(freezeBody({ name: 'DBA freeze' }), dba).expect(201)).body;
      const other = await createFreeze(freezeBody({ scope: { cis: ['app-other'] } }), dba).expect(403);
      expect(other.body.message).toBe('requires the role admin or change_manager, or membership of the owner group platform');
      const everything = await createFreeze(freezeBody({ scope: undefined }), dba).expect(403);
      expect(everything.body.message).toBe('a freeze scoped by tags or covering every CI requires the role admin or change_manager');
      await createFreeze(freezeBody({ scope: { tags: ['pci'] } }), dba).expect(403);
      const adminFreeze = (await createFreeze(freezeBody({ scope: { cis: ['app-other'] } })).expect(201)).body;
      await request(http).delete(`/api/freezes/${adminFreeze.id}`).set(as(dba)).expect(403);
      await request(http).delete(`/api/freezes/${own.id}`).set(as(dba)).expect(204);
      await request(http).get(`/api/freezes/${own.id}`).set(as(auditor)).expect(404);
      await request(http).get('/api/freezes/nope').set(as(auditor)).expect(404);
      expect(await auditActions('freeze', own.id)).toEqual([
        ['calendar.freeze_created', 'dan'],
        ['calendar.freeze_deleted', 'dan'],
      ]);
    });

    it('lists the freezes overlapping a range', async () => {
      await createFreeze(freezeBody({ name: 'Range A', start: '2032-03-01T00:00:00Z', end: '2032-03-05T00:00:00Z' })).expect(201);
      await createFreeze(freezeBody({ name: 'Range B', start: '2032-03-04T00:00:00Z', end: '2032-03-10T00:00:00Z' })).expect(201);
      await createFreeze(freezeBody({ name: 'Range C', start: '2032-03-10T00:00:00Z', end: '2032-03-12T00:00:00Z' })).expect(201);
      const names = async (query: Record<string, string>) => ((await request(http).get('/api/freezes').query(query).set(as(auditor)).expect(200)).body as Array<{ name: string }>).map((f) => f.name);
      expect(await names({ from: '2032-03-02T00:00:00Z', to: '2032-03-10T00:00:00Z' })).toEqual(['Range A', 'Range B']);
      expect(await names({ from: '2032-03-05T00:00:00+00:00', to: '2032-03-06T00:00:00+00:00' })).toEqual(['Range B']);
      expect(await names({ from: '2032-03-09T00:00:00Z' })).toEqual(['Range B', 'Range C']);
      expect(await names({})).toEqual(expect.arrayContaining(['Range A', 'Range B', 'Range C', 'Ledger close']));
      const inverted = await request(http).get('/api/freezes').query({ from: '2032-03-09T00:00:00Z', to: '2032-03-01T00:00:00Z' }).set(as(auditor)).expect(400);
      expect(fields(inverted)).toEqual(['to']);
      await request(http).get('/api/freezes').query({ from: '2032-03-09' }).set(as(auditor)).expect(400);
    });
  });

  describe('the calendar', () => {
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      ids.one = await scheduledChange('Calendar change one, with a comma', ['app-cal'], ['2026-10-20T10:00:00Z', '2026-10-20T12:00:00Z']);
      ids.two = await scheduledChange('Calendar change two', ['app-cal'], ['2026-10-20T11:00:00Z', '2026-10-20T13:00:00Z']);
      ids.web = await scheduledChange('Web release', ['app-web'], ['2026-10-21T10:00:00Z', '2026-10-21T12:00:00Z'], 'implementing');
      ids.db = await scheduledChange('Database patch', ['db-web'], ['2026-10-21T11:30:00Z', '2026-10-21T12:30:00Z']);
      ids.unrelated = await scheduledChange('Unrelated', ['app-other'], ['2026-10-20T10:00:00Z', '2026-10-20T12:00:00Z']);
      ids.cancelled = await scheduledChange('Cancelled', ['app-cal'], ['2026-10-20T10:00:00Z', '2026-10-20T12:00:00Z'], 'cancelled');
      ids.unscheduled = await scheduledChange('Not yet scheduled', ['app-cal'], null, 'awaiting_approval');
      ids.later = await scheduledChange('Later', ['app-cal'], ['2026-12-20T10:00:00Z', '2026-12-20T12:00:00Z']);
      await createFreeze(
        freezeBody({
          name: 'Month-end close',
          start: '2026-10-30T18:00:00+01:00',
          end: '2026-11-02T08:00:00+01:00',
          reason: 'Month-end close: ledgers, settlements; reconciliations and reports must not move while finance closes the books, do not touch',
          scope: { cis: ['app-cal'] },
        }),
      ).expect(201);
      await createFreeze(freezeBody({ name: 'Outside the range', start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z' })).expect(201);
    });

    const calendar = async (query: Record<string, string> = OCTOBER) => (await request(http).get('/api/calendar').query(query).set(as(auditor)).expect(200)).body;

    it('expands a weekly window into its occurrences in the range, across the change of time', async () => {
      const body = await calendar();
      expect([body.from, body.to]).toEqual(['2026-10-16T22:00:00.000Z', '2026-11-06T23:00:00.000Z']);
      const saturdays = (body.windows as Occurrence[]).filter((w) => w.id === saturdayId);
      // 22:00 in Paris is 20:00Z in summer time and 21:00Z after 25 October.
      expect(saturdays).toEqual(
        [
          ['2026-10-17T20:00:00.000Z', '2026-10-18T00:00:00.000Z'],
          ['2026-10-24T20:00:00.000Z', '2026-10-25T00:00:00.000Z'],
          ['2026-10-31T21:00:00.000Z', '2026-11-01T01:00:00.000Z'],
        ].map(([start, end]) => ({ id: saturdayId, name: 'Test Saturday night', start, end, timezone: 'Europe/Paris', scope: { cis: ['app-cal'], tags: [] } })),
      );
      // The demo window opens at 01:00 Paris time on Sundays, on the night of the change too.
      const payments = (body.windows as Occurrence[]).filter((w) => w.name === 'Payments Sunday night').map((w) => w.start);
      expect(payments).toEqual(['2026-10-17T23:00:00.000Z', '2026-10-24T23:00:00.000Z', '2026-11-01T00:00:00.000Z']);
      const starts = (body.windows as Occurrence[]).map((w) => Date.parse(w.start));
      expect([...starts].sort((x, y) => x - y)).toEqual(starts);
    });

    it('lists the freezes and scheduled changes in the range', async () => {
      const body = await calendar();
      expect(body.freezes.map((f: { name: string }) => f.name)).toEqual(['Month-end close']);
      expect(body.freezes[0]).toMatchObject({ start: '2026-10-30T17:00:00.000Z', end: '2026-11-02T07:00:00.000Z', scope: { cis: ['app-cal'], tags: [] }, allowEmergency: false });
      const changes = body.changes as Array<{ id: string }>;
      expect(changes.map((c) => c.id).sort()).toEqual([ids.one, ids.two, ids.unrelated, ids.web, ids.db].sort());
      expect(changes.find((c) => c.id === ids.web)).toEqual({
        id: ids.web,
        title: 'Web release',
        state: 'implementing',
        start: '2026-10-21T10:00:00.000Z',
        end: '2026-10-21T12:00:00.000Z',
        cis: ['app-web'],
      });
    });

    it('reports conflicts on a shared CI and across a depends_on link, and nothing for unrelated CIs', async () => {
      const body = await calendar();
      // Pairs sorted by change id; these were numbered in order of creation.
      expect(body.conflicts).toEqual([
        { a: ids.one, b: ids.two, cis: ['app-cal'] },
        { a: ids.web, b: ids.db, cis: ['app-web', 'db-web'] },
      ]);
    });

    it('defaults to the next 30 days and refuses bad ranges, naming the field', async () => {
      const before = Date.now();
      const body = await calendar({});
      expect(Date.parse(body.from)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(body.to) - Date.parse(body.from)).toBe(30 * 86_400_000);
      expect(body.changes.map((c: { id: string }) => c.id)).toEqual([ids.later]);

      const bad = (query: Record<string, string>) => request(http).get('/api/calendar').query(query).set(as(auditor)).expect(400);
      expect(fields(await bad({ from: OCTOBER.to, to: OCTOBER.from }))).toEqual(['to']);
      expect(fields(await bad({ from: OCTOBER.from, to: OCTOBER.from }))).toEqual(['to']);
      expect((await bad({ from: '2026-01-01T00:00:00Z', to: '2027-02-06T00:00:00Z' })).body.message).toMatch(/^to: may be at most 400 days after from/);
      expect(fields(await bad({ from: '2026-10-17T00:00:00' }))).toEqual(['from']);
      await request(http).get('/api/calendar').query({ from: '2026-01-01T00:00:00Z', to: '2027-02-05T00:00:00Z' }).set(as(auditor)).expect(200);
      await request(http).get('/api/calendar').expect(401);
    });

    describe('as iCalendar', () => {
      let text: string;
      let lines: string[];

      beforeAll(async () => {
        const response = await request(http).get('/api/calendar.ics').query(OCTOBER).set(as(auditor)).expect(200);
        expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
        expect(response.headers['content-disposition']).toBe('inline; filename="steward-calendar.ics"');
        text = response.text;
        lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
      });

      it('is RFC 5545 text: CRLF line endings, folded at 75 octets, one calendar', () => {
        expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
        expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
        expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
        expect(text.split('\r\n').every((l) => Buffer.byteLength(l, 'utf8') <= 75)).toBe(true);
        expect(lines).toEqual(expect.arrayContaining(['PRODID:-//Steward//Change Calendar//EN', 'CALSCALE:GREGORIAN']));
      });

      it('holds one VEVENT per window occurrence, freeze and scheduled change', async () => {
        const json = await calendar();
        const count = json.windows.length + json.freezes.length + json.changes.length;
        expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(count);
        expect(lines.filter((l) => l === 'END:VEVENT')).toHaveLength(count);
        expect(lines.filter((l) => l.startsWith('DTSTAMP:'))).toHaveLength(count);
        expect(lines.filter((l) => l === 'CATEGORIES:maintenance-window')).toHaveLength(json.windows.length);
        expect(lines.filter((l) => l === 'CATEGORIES:freeze')).toHaveLength(1);
        expect(lines.filter((l) => l === 'CATEGORIES:change')).toHaveLength(5);
      });

      it('names events after windows, freezes and changes, with stable UIDs and UTC times', () => {
        const event = (uid: string): string[] => {
          const start = lines.indexOf(`UID:${uid}`);
          expect(start).toBeGreaterThan(0);
          return lines.slice(start, lines.indexOf('END:VEVENT', start));
        };
        const epoch = Date.parse('2026-10-31T21:00:00Z') / 1000;
        expect(event(`window-${saturdayId}-${epoch}@steward`)).toEqual(
          expect.arrayContaining(['SUMMARY:Test Saturday night', 'DTSTART:20261031T210000Z', 'DTEND:20261101T010000Z', 'TRANSP:TRANSPARENT']),
        );
        expect(event(`change-${ids.one}@steward`)).toEqual(
          expect.arrayContaining([
            `SUMMARY:${ids.one}: Calendar change one\\, with a comma`,
            'DTSTART:20261020T100000Z',
            'DTEND:20261020T120000Z',
            `DESCRIPTION:State: scheduled.\\nCIs: app-cal.\\nConflicts with ${ids.two} on app-cal.`,
          ]),
        );
        expect(lines).toContain(`SUMMARY:${ids.web}: Web release`);
      });

      it('escapes and folds a long freeze description', () => {
        const description =
          'DESCRIPTION:Month-end close: ledgers\\, settlements\\; reconciliations and reports must not move while finance closes the books\\, do not touch' +
          '\\nFrozen: CIs app-cal.\\nEmergency changes not allowed.';
        expect(lines).toContain(description);
        expect(lines).toContain('SUMMARY:Month-end close');
        // Folded on the wire: the first physical line is cut at 75 octets, continuations start with a space.
        const physical = text.split('\r\n');
        const first = physical.findIndex((l) => l.startsWith('DESCRIPTION:Month-end close'));
        expect(physical[first]).toHaveLength(75);
        expect(physical[first + 1].startsWith(' ')).toBe(true);
      });

      it('defaults to 30 days back and 365 ahead, and refuses bad ranges', async () => {
        const response = await request(http).get('/api/calendar.ics').set(as(auditor)).expect(200);
        expect(response.text).toContain(`UID:change-${ids.later}@steward`);
        expect(response.text).not.toContain(`UID:change-${ids.one}@steward`);
        const refused = await request(http).get('/api/calendar.ics').query({ from: OCTOBER.to, to: OCTOBER.from }).set(as(auditor)).expect(400);
        expect(refused.headers['content-type']).toMatch(/^application\/json/);
        expect(refused.body.message).toMatch(/^to: /);
      });
    });
  });

  describe('the next eligible interval', () => {
    const next = (query: Record<string, string | number | boolean>) => request(http).get('/api/calendar/next-interval').query(query).set(as(auditor));

    it('waits for the window of a CI that has one', async () => {
      const body = (await next({ cis: 'app-cal', durationMinutes: 60, after: '2026-12-01T00:00:00+01:00' }).expect(200)).body;
      expect(body).toEqual({
        interval: { start: '2026-12-05T21:00:00.000Z', end: '2026-12-06T01:00:00.000Z' },
        reason: "maintenance window 'Test Saturday night' (Europe/Paris)",
      });
      // The demo window of every pci CI.
      const payments = (await next({ cis: 'app-payments-api,db-payments', durationMinutes: 120, after: '2026-12-01T00:00:00+01:00' }).expect(200)).body;
      expect(payments).toEqual({
        interval: { start: '2026-12-06T00:00:00.000Z', end: '2026-12-06T04:00:00.000Z' },
        reason: "maintenance window 'Payments Sunday night' (Europe/Paris)",
      });
    });

    it('lets a CI without a window change at any time outside freezes', async () => {
      await createFreeze(freezeBody({ name: 'Free CI freeze', start: '2027-03-01T00:00:00Z', end: '2027-03-03T00:00:00Z', scope: { cis: ['svc-free'] } })).expect(201);
      const inside = (await next({ cis: 'svc-free', durationMinutes: 60, after: '2027-03-02T00:00:00Z' }).expect(200)).body;
      expect(inside.interval.start).toBe('2027-03-03T00:00:00.000Z');
      expect(inside.reason).toBe('no maintenance window in scope: any time outside freezes');
      const before = (await next({ cis: 'svc-free', durationMinutes: 60, after: '2027-02-28T12:00:00Z' }).expect(200)).body;
      expect(before.interval).toEqual({ start: '2027-02-28T12:00:00.000Z', end: '2027-03-01T00:00:00.000Z' });
    });

    it('holds every CI inside an unscoped freeze, except emergencies it lets through', async () => {
      await createFreeze(freezeBody({ name: 'Everything frozen', start: '2031-01-01T00:00:00Z', end: '2031-01-02T00:00:00Z', scope: undefined, allowEmergency: true })).expect(201);
      const normal = (await next({ cis: 'svc-free', durationMinutes: 30, after: '2031-01-01T06:00:00Z' }).expect(200)).body;
      expect(normal.interval.start).toBe('2031-01-02T00:00:00.000Z');
      const emergency = (await next({ cis: 'svc-free', durationMinutes: 30, after: '2031-01-01T06:00:00Z', emergency: true }).expect(200)).body;
      expect(emergency.interval.start).toBe('2031-01-01T06:00:00.000Z');
      expect(emergency.reason).toBe("emergency change: windows do not apply; 'Everything frozen' allows emergency changes");
    });

    it('answers interval null when nothing fits', async () => {
      const body = (
        await next({ cis: 'app-cal', durationMinutes: 300, after: '2026-12-01T00:00:00+01:00', requestedStart: '2026-12-01T00:00:00Z', requestedEnd: '2026-12-31T00:00:00Z' }).expect(200)
      ).body;
      expect(body).toEqual({ interval: null, reason: 'nothing fits within the requested window and the horizon' });
      const narrowed = (
        await next({ cis: 'app-cal', durationMinutes: 60, after: '2026-12-01T00:00:00+01:00', requestedStart: '2026-12-10T00:00:00Z', requestedEnd: '2026-12-31T00:00:00Z' }).expect(200)
      ).body;
      expect(narrowed.interval.start).toBe('2026-12-12T21:00:00.000Z');
      expect(narrowed.reason).toBe("maintenance window 'Test Saturday night' (Europe/Paris), within the requested window");
    });

    it('names invalid parameters and unknown CIs', async () => {
      const unknown = await next({ cis: 'app-cal,ghost-9', durationMinutes: 60 }).expect(400);
      expect(unknown.body.message).toBe('cis: unknown configuration items: ghost-9');
      expect(fields(await next({ durationMinutes: 60 }).expect(400))).toEqual(['cis']);
      expect(fields(await next({ cis: 'app-cal' }).expect(400))).toEqual(['durationMinutes']);
      expect(fields(await next({ cis: 'app-cal', durationMinutes: 60, after: 'now' }).expect(400))).toEqual(['after']);
      expect(fields(await next({ cis: 'app-cal', durationMinutes: 60, emergency: 'maybe' }).expect(400))).toEqual(['emergency']);
      expect(fields(await next({ cis: 'app-cal', durationMinutes: 60, requestedStart: '2026-12-10T00:00:00Z' }).expect(400))).toEqual(['requestedEnd']);
      // Without `after`, from now on: the Saturday window opens within a week.
      const now = (await next({ cis: 'app-cal', durationMinutes: 60 }).expect(200)).body;
      expect(Date.parse(now.interval.start)).toBeLessThan(Date.now() + 7 * 86_400_000);
    });
  });

  describe('audit', () => {
    it('keeps the chain valid across calendar writes', async () => {
      const verification = (await request(http).get('/api/audit/verify').set(as(auditor)).expect(200)).body;
      expect(verification.valid).toBe(true);
      const freezes = (await request(http).get('/api/audit').query({ entity: 'freeze', limit: 1000 }).set(as(auditor)).expect(200)).body as Array<{ action: string }>;
      expect(freezes.filter((e) => e.action === 'calendar.freeze_created').length).toBeGreaterThanOrEqual(8);
    });
  });
});
