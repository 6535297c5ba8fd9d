import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ProcessOptionsInput } from '@steward/config';
import { DEMO_USERS } from '@steward/identity';
import type { App } from 'supertest/types';
import type { DataSource } from 'typeorm';
import { createTestDatabase, startApi, startWorker, TEST_CHANGE_PROCESS, temporalClient, tokenFor, type TestDatabase } from './harness';

/** One Steward as an end-to-end test drives it: its database, worker, API and a Temporal client. */
export interface StewardStack {
  database: TestDatabase;
  worker: INestApplicationContext;
  api: NestExpressApplication;
  http: App;
  temporal: Awaited<ReturnType<typeof temporalClient>>;
}

/**
 * Starts a migrated database of its own, a worker and an API on `taskQueue`, and a Temporal
 * client; fills `tokens` with a bearer token per demo user. `seed` writes rows before either
 * process starts, so no workflow sees a half-seeded database.
 */
export async function startStewardStack(
  name: string,
  options: { taskQueue: string; processes?: ProcessOptionsInput; tokens?: Record<string, string>; seed?: (db: DataSource) => Promise<unknown> },
): Promise<StewardStack> {
  const database = await createTestDatabase(name);
  await options.seed?.(database.db);
  const [worker, api] = await Promise.all([
    startWorker(database.url, options.taskQueue, { processes: options.processes }),
    startApi(database.url, options.taskQueue, TEST_CHANGE_PROCESS, options.processes),
  ]);
  const temporal = await temporalClient();
  for (const [part, user] of Object.entries(DEMO_USERS)) if (options.tokens) options.tokens[part] = await tokenFor(user);
  return { database, worker, api, http: api.getHttpServer() as App, temporal };
}

/** Stops what started, in reverse order; what never started (a failed beforeAll) is skipped. */
export async function stopStewardStack(stack: Partial<StewardStack> | undefined): Promise<void> {
  await stack?.temporal?.close();
  await stack?.api?.close();
  await stack?.worker?.close();
  await stack?.database?.drop();
}
