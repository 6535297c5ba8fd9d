import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS, signToken, type Principal } from '@steward/identity';
import { ChangeRequestEntity, seedDemoData } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { changeRequestBody } from '../support/fixtures';
import { createTestDatabase, eventually, startWorker, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { baseUrl, openStream, startApiWith, targetPlan, type OpenStream } from './support/abuse-stack';
import { startCountingTarget, type CountingTarget } from './support/counting-target';

const admin = (id: string): Principal => ({ id, name: id, roles: ['admin'], groups: [] });
const ciBody = (key: string) => ({ key, name: key, type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'platform' });

function expectTooMany(response: request.Response): void {
  expect(response.status).toBe(429);
  expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(response.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.any(String) });
}

describe('API4:2023 Unrestricted Resource Consumption', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let target: CountingTarget;
  const taskQueue = uniqueTaskQueue('api4');

  beforeAll(async () => {
    database = await createTestDatabase('sec_api4');
    await seedDemoData(database.db);
    target = await startCountingTarget();
    worker = await startWorker(database.url, taskQueue, { executorAllowedTargets: [target.hostPort] });
  });

  afterAll(async () => {
    await worker?.close();
    await target?.close();
    await database?.drop();
  });

  describe('writes are rate limited per principal and per client address', () => {
    let api: NestExpressApplication;
    let http: App;
    beforeAll(async () => {
      api = await startApiWith(database.url, taskQueue, { abuse: { authFailuresPerMinute: 100, writesPerMinute: 3, writesPerAddressPerMinute: 8, eventStreamsPerPrincipal: 10 } });
      http = api.getHttpServer() as App;
    });
    afterAll(() => api?.close());

    it('answers 429 with Retry-After once a requester exceeds RATE_LIMIT_WRITES_PER_MINUTE, creating and executing nothing', async () => {
      const token = await tokenFor(DEMO_USERS.requester);
      const before = await database.db.getRepository(ChangeRequestEntity).count();
      for (let i = 0; i < 3; i++) {
        await request(http).post('/api/changes').set('Authorization', `Bearer ${token}`).send(changeRequestBody({ title: `flood ${i}`, plan: targetPlan(target) })).expect(201);
      }
      const refused = await request(http).post('/api/changes').set('Authorization', `Bearer ${token}`).send(changeRequestBody({ title: 'flood 3', plan: targetPlan(target) }));
      expectTooMany(refused);
      expect(refused.body.message).toMatch(/3 writes a minute per user/);
      expect(await database.db.getRepository(ChangeRequestEntity).count()).toBe(before + 3);
      // Reads are not writes: the requester still sees their changes.
      await request(http).get('/api/changes').set('Authorization', `Bearer ${token}`).expect(200);
      expect(target.count()).toBe(0);
    });

    it('limits the client address as a whole, whoever writes from it', async () => {
      // An API of its own, so that no earlier write from 127.0.0.1 has spent the address's tokens.
      const own = await startApiWith(database.url, taskQueue, { abuse: { authFailuresPerMinute: 100, writesPerMinute: 3, writesPerAddressPerMinute: 8, eventStreamsPerPrincipal: 10 } });
      try {
        const statuses: number[] = [];
        let last: request.Response | undefined;
        // Three admins share 127.0.0.1: each may write 3 times, the address 8 times in all.
        for (const who of ['adm-a', 'adm-b', 'adm-c']) {
          const token = await tokenFor(admin(who));
          for (let i = 0; i < 3; i++) {
            last = await request(own.getHttpServer() as App).post('/api/cis').set('Authorization', `Bearer ${token}`).send(ciBody(`abuse-${who}-${i}`));
            statuses.push(last.status);
          }
        }
        expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 201, 429]);
        expectTooMany(last!);
        expect(last!.body.message).toMatch(/8 writes a minute from one address/);
      } finally {
        await own.close();
      }
    });
  });

  describe('failed authentication is rate limited per client address and per presented subject', () => {
    let api: NestExpressApplication;
    let http: App;
    const forged = (sub: string) => signToken('not-the-secret-but-long-enough-000000000000', { id: sub, name: sub, roles: ['admin'], groups: [] }, '1h');

    beforeAll(async () => {
      // Behind a trusted proxy on loopback, X-Forwarded-For names the client: the test plays many addresses.
      api = await startApiWith(database.url, taskQueue, { abuse: { authFailuresPerMinute: 3, writesPerMinute: 100, writesPerAddressPerMinute: 100, eventStreamsPerPrincipal: 10 }, web: { corsOrigins: [], trustProxy: 'loopback' } });
      http = api.getHttpServer() as App;
    });
    afterAll(() => api?.close());

    it('after RATE_LIMIT_AUTH_FAILURES_PER_MINUTE failures an address gets 429 even with a valid token; other addresses and /health are unaffected', async () => {
      const attacker = '203.0.113.7';
      for (let i = 0; i < 3; i++) {
        await request(http).get('/api/changes').set('X-Forwarded-For', attacker).set('Authorization', `Bearer ${await forged('mallory')}`).expect(401);
      }
      const valid = await tokenFor(DEMO_USERS.auditor);
      expectTooMany(await request(http).get('/api/changes').set('X-Forwarded-For', attacker).set('Authorization', `Bearer ${valid}`));
      expectTooMany(await request(http).post('/api/changes').set('X-Forwarded-For', attacker).send(changeRequestBody({ plan: targetPlan(target) })));
      await request(http).get('/health').set('X-Forwarded-For', attacker).expect((r) => expect(r.status).not.toBe(429));
      await request(http).get('/api/changes').set('X-Forwarded-For', '203.0.113.8').set('Authorization', `Bearer ${valid}`).expect(200);
      expect(target.count()).toBe(0);
    });

    it('failures against one subject from many addresses turn its failing attempts into 429; the real holder of a valid token is not locked out', async () => {
      for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        await request(http).get('/api/changes').set('X-Forwarded-For', address).set('Authorization', `Bearer ${await forged('dave')}`).expect(401);
      }
      expectTooMany(await request(http).get('/api/changes').set('X-Forwarded-For', '198.51.100.4').set('Authorization', `Bearer ${await forged('dave')}`));
      await request(http).get('/api/changes').set('X-Forwarded-For', '198.51.100.5').set('Authorization', `Bearer ${await tokenFor(DEMO_USERS.changeManager)}`).expect(200);
    });
  });

  describe('open event streams are capped per principal', () => {
    let api: NestExpressApplication;
    let http: App;
    const streams: OpenStream[] = [];
    beforeAll(async () => {
      api = await startApiWith(database.url, taskQueue, { abuse: { authFailuresPerMinute: 100, writesPerMinute: 100, writesPerAddressPerMinute: 100, eventStreamsPerPrincipal: 2 } });
      http = api.getHttpServer() as App;
    });
    afterAll(async () => {
      for (const stream of streams) stream.close();
      await api?.close();
    });

    it('refuses a third stream with 429 until one is closed; other principals keep theirs', async () => {
      const alice = await tokenFor(DEMO_USERS.requester);
      const bob = await tokenFor(DEMO_USERS.cabMember);
      const id = (await request(http).post('/api/changes').set('Authorization', `Bearer ${alice}`).send(changeRequestBody({ plan: targetPlan(target) })).expect(201)).body.id as string;
      const url = `${baseUrl(api)}/api/changes/${id}/events`;

      for (let i = 0; i < 2; i++) {
        const stream = await openStream(url, alice);
        streams.push(stream);
        expect(stream.status).toBe(200);
        expect(stream.headers['content-type']).toMatch(/text\/event-stream/);
        await stream.waitFor(/event: submitted/);
      }
      const third = await openStream(url, alice);
      streams.push(third);
      expect(third.status).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await third.waitFor(/"statusCode":429/);
      expect(JSON.parse(third.body())).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/at most 2 event streams/) });

      const bobs = await openStream(url, bob);
      streams.push(bobs);
      expect(bobs.status).toBe(200);

      streams[0].close();
      // The server notices the close and frees the slot: a new stream is then accepted.
      const reopened = await eventually(
        async () => {
          const stream = await openStream(url, alice);
          if (stream.status !== 200) stream.close();
          return stream;
        },
        (stream) => stream.status === 200,
      );
      streams.push(reopened);
      await reopened.waitFor(/event: submitted/);
      expect(target.count()).toBe(0);
    });
  });

  describe('request bodies are bounded', () => {
    let api: NestExpressApplication;
    let http: App;
    beforeAll(async () => {
      api = await startApiWith(database.url, taskQueue);
      http = api.getHttpServer() as App;
    });
    afterAll(() => api?.close());

    it('refuses an oversized JSON body with 413 in the standard error shape, not 500, and creates nothing', async () => {
      const before = await database.db.getRepository(ChangeRequestEntity).count();
      const token = await tokenFor(DEMO_USERS.requester);
      const response = await request(http)
        .post('/api/changes')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(changeRequestBody({ description: 'x'.repeat(2 * 1024 * 1024), plan: targetPlan(target) })));
      expect(response.status).toBe(413);
      expect(response.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toMatch(/\s at |node_modules|body-parser/);
      expect(await database.db.getRepository(ChangeRequestEntity).count()).toBe(before);
      expect(target.count()).toBe(0);
    });
  });
});
