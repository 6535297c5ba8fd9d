import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS } from '@steward/identity';
import { StewardLogger } from '@steward/observability';
import { seedDemoData } from '@steward/persistence';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createApi } from '../../apps/api/src/create-api';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { changeRequestBody } from '../support/fixtures';
import {
  TEST_ABUSE_SETTINGS,
  TEST_CHANGE_PROCESS,
  TEST_JWT_SECRET,
  TEST_DECISION_SIGNING_KEY,
  TEST_DECISION_VERIFY_KEY,
  TEST_PAYLOAD_CODEC_KEYS,
  TEST_WORKER_SECRET,
  createTestDatabase,
  temporalSettings,
  tokenFor,
  uniqueTaskQueue,
  type TestDatabase,
} from '../support/harness';
import { testEnv } from '../support/test-env';

/** Every JSON line written, parsed. */
class LineCapture extends Writable {
  readonly lines: Array<Record<string, unknown> & { service?: string }> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

/**
 * `npm start` runs the API and the worker in one process writing to one terminal: each line
 * must say which of them wrote it, and no line may carry a secret or a bearer token.
 */
describe('logs of the API and the worker in one process', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  const capture = new LineCapture();
  const taskQueue = uniqueTaskQueue('process-logs');

  beforeAll(async () => {
    database = await createTestDatabase('process_logs');
    await seedDemoData(database.db);
    // The worker first, as the launcher does: with one logger per Node process the API's lines said "worker".
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot({
        databaseUrl: database.url,
        temporal: temporalSettings(taskQueue),
        decisionVerifyKey: TEST_DECISION_VERIFY_KEY,
        workerSecret: TEST_WORKER_SECRET,
        payloadCodecKeys: TEST_PAYLOAD_CODEC_KEYS,
        executorAllowedTargets: [],
        workflowBundlePath: testEnv('workflowBundle'),
        logLevel: 'info',
        logDestination: capture,
      }),
      { bufferLogs: true },
    );
    worker.useLogger(worker.get(StewardLogger));
    await worker.init();
    api = await createApi(
      { databaseUrl: database.url, temporal: temporalSettings(taskQueue), auth: { jwtSecret: TEST_JWT_SECRET }, logLevel: 'info', logDestination: capture, decisionSigningKey: TEST_DECISION_SIGNING_KEY, payloadCodecKeys: TEST_PAYLOAD_CODEC_KEYS, changeProcess: TEST_CHANGE_PROCESS, abuse: TEST_ABUSE_SETTINGS },
      { shutdownHooks: false },
    );
    await api.listen(0, '127.0.0.1');
    http = api.getHttpServer() as App;
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await database?.drop();
  });

  it('labels request lines api and the worker’s own lines worker', async () => {
    const token = await tokenFor(DEMO_USERS.requester);
    await request(http).post('/api/changes').set('Authorization', `Bearer ${token}`).send(changeRequestBody()).expect(201);
    await request(http).get('/api/changes/CHG-999999').set('Authorization', `Bearer ${token}`).expect(404);
    const requests = capture.lines.filter((l) => l.req !== undefined);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requests.map((l) => l.service))).toEqual(new Set(['api']));
    const polling = capture.lines.filter((l) => String(l.msg).startsWith('worker polling task queue'));
    expect(polling.map((l) => l.service)).toEqual(['worker']);
    // Nest's route-mapping chatter is debug, so the start-up banner is not buried under it.
    expect(capture.lines.filter((l) => l.context === 'RouterExplorer')).toEqual([]);
  });

  it('never writes a secret, a bearer token or a password', async () => {
    const token = await tokenFor(DEMO_USERS.cabMember);
    await request(http).get('/api/changes').set('Authorization', `Bearer ${token}`).expect(200);
    await request(http).get('/api/changes').set('Authorization', `Bearer ${token}x`).expect(401);
    await request(http).post('/api/changes').set('Authorization', `Bearer ${token}`).set('Cookie', 'session=s3cr3t-cookie-value').send({ title: 'x' });
    const text = capture.raw.join('\n');
    expect(capture.raw.length).toBeGreaterThan(3);
    for (const secret of [TEST_JWT_SECRET, TEST_WORKER_SECRET, TEST_DECISION_SIGNING_KEY, ...TEST_PAYLOAD_CODEC_KEYS.map((k) => k.key.toString('base64')), token, 's3cr3t-cookie-value', new URL(database.url).password].filter((s) => s.length > 0)) {
      expect(text).not.toContain(secret);
    }
  });
});
