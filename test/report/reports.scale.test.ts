import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Principal } from '@steward/identity';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { watchQueries } from '../support/query-log';
import { createTestDatabase, startApi, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';

const INCIDENTS = 100_000;
/**
 * A tripwire, not a benchmark: one grouped query per report takes seconds at this size even on
 * a busy two-core test machine, while a per-incident query or a loop in Node would take minutes.
 */
const BOUND_MS = 20_000;
const auditor: Principal = { id: 'frank', name: 'Frank Auditor', roles: ['auditor'], groups: [] };

describe('reports at 100k incidents', () => {
  let database: TestDatabase;
  let api: NestExpressApplication;
  let http: App;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase('report_scale');
    // About nine events each, as a busy month of an incident workflow writes them.
    await database.db.query(
      `INSERT INTO incident_event (incident_id, event_key, at, type, actor, data)
       SELECT 'INC-S' || g, e.type || ':' || e.n, timestamptz '2024-01-01' + g * interval '20 seconds' + e.after, e.type, 'steward', e.data
         FROM generate_series(1, $1::int) g
        CROSS JOIN LATERAL (VALUES
          (0, 'opened', interval '0', jsonb_build_object('priority', 'P' || (1 + g % 5), 'major', g % 5 < 2, 'service', 'svc-' || (g % 50),
                'responseTargetMs', CASE WHEN g % 5 = 4 THEN NULL ELSE 900000 END, 'resolutionTargetMs', CASE WHEN g % 5 = 4 THEN NULL ELSE 14400000 END)),
          (1, 'escalated', interval '5 minutes', '{"level": 1, "round": 1, "targets": []}'::jsonb),
          (2, 'acknowledged', (g % 40) * interval '1 minute', '{}'::jsonb),
          (3, 'sla_stopped', (g % 40) * interval '1 minute', jsonb_build_object('target', 'response', 'priority', 'P' || (1 + g % 5), 'breached', g % 40 > 15)),
          (4, 'sla_breached', interval '15 minutes', jsonb_build_object('target', 'response', 'priority', 'P' || (1 + g % 5))),
          (5, 'reclassified', interval '20 minutes', jsonb_build_object('from', 'P' || (1 + g % 5), 'to', 'P' || (1 + g % 4))),
          (6, 'stakeholder_update', interval '30 minutes', '{"message": "investigating the payment gateway timeouts"}'::jsonb),
          (7, 'resolved', (g % 300) * interval '1 minute', '{"resolution": "restarted"}'::jsonb),
          (8, 'sla_stopped', (g % 300) * interval '1 minute', jsonb_build_object('target', 'resolution', 'priority', 'P' || (1 + g % 4), 'breached', g % 300 > 240)),
          (9, 'closed', interval '1 day', '{}'::jsonb)
        ) AS e(n, type, after, data)
        WHERE e.type NOT IN ('sla_breached', 'reclassified') OR g % 7 = 0`,
      [INCIDENTS],
    );
    await database.db.query('ANALYZE incident_event');
    api = await startApi(database.url, uniqueTaskQueue('report-scale'));
    http = api.getHttpServer() as App;
    token = await tokenFor(auditor);
  }, 180_000);

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const period = { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' };

  it.each(['sla', 'incidents'])('answers /api/reports/%s in one query, within the bound', async (report) => {
    const queries = watchQueries(api.get(DataSource));
    const started = Date.now();
    const body = (await request(http).get(`/api/reports/${report}`).query(period).set({ Authorization: `Bearer ${token}` }).expect(200)).body;
    const elapsed = Date.now() - started;
    queries.stop();
    // One statement reads data, and it reads the events; the rest only open, set up and end
    // the read-only transaction.
    const reads = queries.statements.filter((sql) => /\bFROM\b/i.test(sql));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/\bincident_event\b/);
    expect(queries.statements.filter((sql) => !reads.includes(sql) && !/^(START TRANSACTION|BEGIN|SET |COMMIT)/i.test(sql.trim()))).toEqual([]);
    expect(body.totals[report === 'sla' ? 'incidents' : 'opened']).toBe(INCIDENTS);
    expect(body.rows.length).toBeGreaterThan(100);
    expect(elapsed).toBeLessThan(BOUND_MS);
    process.stdout.write(`[report scale] /api/reports/${report} over ${INCIDENTS} incidents: ${elapsed} ms\n`);
  }, 60_000);

  it('answers the CSV form as quickly', async () => {
    const started = Date.now();
    const response = await request(http).get('/api/reports/sla').query({ ...period, format: 'csv' }).set({ Authorization: `Bearer ${token}` }).expect(200);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(response.text.split('\r\n').at(-2)).toMatch(/^\(all\),\(all\),100000,/);
  }, 60_000);
});
