import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS, signToken, type Principal } from '@steward/identity';
import { seedDemoData } from '@steward/persistence';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { changeRequestBody } from '../support/fixtures';
import { TEST_JWT_SECRET, createTestDatabase, startApi, startWorker, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';

const ROOT = resolve(__dirname, '../..');
const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = join(ROOT, '.venv-schemathesis');

/** Schemathesis from PyPI in a virtual environment of the project's own, made once. */
function schemathesis(): string {
  const st = join(VENV, 'bin', 'st');
  const installed = existsSync(st) && execFileSync(st, ['--version'], { encoding: 'utf8' }).includes(SCHEMATHESIS_VERSION);
  if (!installed) {
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'ignore' });
    execFileSync(join(VENV, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`], { stdio: 'ignore', timeout: 300_000 });
  }
  return st;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    let output = '';
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('exit', (code) => done({ code, output }));
  });
}

/**
 * Schemathesis over the whole OpenAPI document, as several roles, on live records: no answer is a
 * server error, every status the API gives is in the document, and every body matches its schema.
 */
describe('the OpenAPI document holds against Schemathesis', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let base: string;
  let st: string;
  const live: Record<string, string> = {};
  const taskQueue = uniqueTaskQueue('schemathesis');

  beforeAll(async () => {
    st = schemathesis();
    database = await createTestDatabase('schemathesis');
    await seedDemoData(database.db);
    [worker, api] = await Promise.all([startWorker(database.url, taskQueue), startApi(database.url, taskQueue)]);
    base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    const http = api.getHttpServer() as App;
    const as = async (user: Principal) => ({ Authorization: `Bearer ${await tokenFor(user)}` });
    live.STEWARD_LIVE_CI = (await request(http).post('/api/cis').set(await as(DEMO_USERS.admin)).send({ key: 'app-fuzzed', name: 'Fuzzed', type: 'application', environment: 'staging', criticality: 3, ownerGroup: 'platform' }).expect(201)).body.key;
    live.STEWARD_LIVE_CHANGE = (await request(http).post('/api/changes').set(await as(DEMO_USERS.requester)).send(changeRequestBody()).expect(201)).body.id;
    live.STEWARD_LIVE_INCIDENT = (await request(http).post('/api/incidents').set(await as(DEMO_USERS.serviceDesk)).send({ title: 'Fuzzed', description: 'd', service: 'svc-payments', impact: 3, urgency: 3 }).expect(201)).body.id;
    live.STEWARD_LIVE_PROBLEM = (await request(http).post('/api/problems').set(await as(DEMO_USERS.problemManager)).send({ title: 'Fuzzed', description: 'd' }).expect(201)).body.id;
  }, 600_000);

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await database?.drop();
  });

  it.each(['admin', 'requester', 'changeManager', 'auditor'] as const)('finds no failure as %s', async (part) => {
    const token = await signToken(TEST_JWT_SECRET, DEMO_USERS[part], '1h');
    const { code, output } = await run(
      st,
      [
        'run', `${base}/docs-json`,
        '--header', `Authorization: Bearer ${token}`,
        '--checks', 'not_a_server_error,status_code_conformance,response_schema_conformance',
        '--phases', 'examples,coverage,fuzzing',
        '--max-examples', '10',
        '--max-time', '90',
        // One worker: Hypothesis's own source introspection is not thread-safe (a runtime error of the tool, not of the API).
        '--workers', '1',
        '--seed', '20261206',
        // No example database between runs: each run stands on its own seed.
        '--generation-database', 'none',
        '--no-color',
        '--warnings', 'off',
      ],
      { ...live, SCHEMATHESIS_HOOKS: 'steward_hooks', PYTHONPATH: join(__dirname, 'schemathesis') },
    );
    // The whole report stays on disk (git-ignored) for whoever reads a failure.
    mkdirSync(join(ROOT, 'schemathesis-report'), { recursive: true });
    writeFileSync(join(ROOT, 'schemathesis-report', `${part}.txt`), output);
    if (code !== 0) throw new Error(`Schemathesis (${part}) found failures (schemathesis-report/${part}.txt):\n${output.slice(-6000)}`);
    expect(output).toMatch(/Tested: \d+/);
  }, 300_000);
});
