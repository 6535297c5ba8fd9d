import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { signToken, type Principal } from '@steward/identity';
import { startEmbeddedPostgres, stewardDataSourceOptions, type EmbeddedPostgres } from '@steward/persistence';
import { AesGcmPayloadCodec, generateDecisionKeyPair, generatePayloadCodecKey, parsePayloadCodecKeys, type PayloadCodecKey } from '@steward/security';
import { resolveTemporalCli, stewardDataConverter, toSdkExecutable } from '@steward/temporal';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { createApi } from '../apps/api/src/create-api';

export const BENCH_SECRET = 'steward-bench-secret-0123456789-abcdefghijkl';
/** WORKER_SECRET of the bench's workers. */
export const BENCH_SIGNING_SECRET = 'steward-bench-signing-secret-0123456789-abcdef';
export const BENCH_WORKER_SECRET = BENCH_SIGNING_SECRET;
/** Fresh for each run, as `npm start` makes them: the decision key pair and the payload codec key. */
export const BENCH_DECISION_KEYS = generateDecisionKeyPair();
export const BENCH_PAYLOAD_CODEC_KEYS_TEXT = generatePayloadCodecKey('bench-1');
export const BENCH_PAYLOAD_CODEC_KEYS: PayloadCodecKey[] = parsePayloadCodecKeys(BENCH_PAYLOAD_CODEC_KEYS_TEXT);

/** A client of the bench's server that reads what the bench's workers write (payload codec on). */
export async function benchClient(address: string): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace: 'default', dataConverter: stewardDataConverter(new AesGcmPayloadCodec(BENCH_PAYLOAD_CODEC_KEYS)) }), connection };
}

/** A small, seeded PRNG (mulberry32): the same graph and snapshot on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summarise(samples: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN), mean: round(mean) };
}

export interface BenchEnvironment {
  postgresUrl: string;
  /** True when PostgreSQL records commit times (pg_xact_commit_timestamp): see startBenchEnvironment. */
  commitTimestamps: boolean;
  temporalAddress: string;
  db: DataSource;
  api: NestExpressApplication;
  baseUrl: string;
  token(principal: Principal): Promise<string>;
  close(): Promise<void>;
}

/**
 * Real servers for benchmarks: a throwaway cluster of the embedded PostgreSQL and the Temporal
 * dev server, with the API on loopback.
 * `commitTimestamps` turns on track_commit_timestamp in a cluster the bench starts itself, so
 * that a bench can read when a row was committed without a column added for it.
 */
export async function startBenchEnvironment(options: { commitTimestamps?: boolean } = {}): Promise<BenchEnvironment> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already
  }
  let pg: EmbeddedPostgres | undefined;
  const postgresUrl = process.env.DATABASE_URL ?? (pg = await startEmbeddedPostgres({ settings: options.commitTimestamps ? { track_commit_timestamp: 'on' } : {} })).url;
  let temporal: TestWorkflowEnvironment | undefined;
  const temporalAddress =
    process.env.TEMPORAL_ADDRESS ??
    (temporal = await TestWorkflowEnvironment.createLocal({
      server: { executable: toSdkExecutable(resolveTemporalCli()), ip: '127.0.0.1', log: { format: 'json', level: 'error' } },
    })).address;
  const db = await new DataSource(stewardDataSourceOptions({ url: postgresUrl, applicationName: 'steward-bench', poolSize: 4 })).initialize();
  await db.runMigrations({ transaction: 'each' });
  const api = await createApi(
    { databaseUrl: postgresUrl, temporal: { address: temporalAddress, namespace: 'default', taskQueue: 'bench' }, auth: { jwtSecret: BENCH_SECRET }, logLevel: 'silent', decisionSigningKey: BENCH_DECISION_KEYS.signingKey, payloadCodecKeys: BENCH_PAYLOAD_CODEC_KEYS,
      // The bench measures Steward, not its rate limits: one address, a few users, many writes.
      abuse: { authFailuresPerMinute: 0, writesPerMinute: 0, writesPerAddressPerMinute: 0, eventStreamsPerPrincipal: 0 } },
    { shutdownHooks: false },
  );
  await api.listen(0, '127.0.0.1');
  const address = api.getHttpServer().address() as { port: number };
  const [{ track_commit_timestamp: tracking }] = (await db.query('SHOW track_commit_timestamp')) as Array<{ track_commit_timestamp: string }>;
  return {
    postgresUrl,
    commitTimestamps: tracking === 'on',
    temporalAddress,
    db,
    api,
    baseUrl: `http://127.0.0.1:${address.port}`,
    token: (principal) => signToken(BENCH_SECRET, principal, '2h'),
    async close() {
      await api.close();
      await db.destroy();
      await temporal?.teardown();
      await pg?.stop();
    },
  };
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Polls `probe` every `intervalMs` until `accept` holds; returns the value and the moment it was
 * seen. Bounded by `timeoutMs`.
 */
export async function pollUntil<T>(label: string, probe: () => Promise<T>, accept: (value: T) => boolean, options: { timeoutMs: number; intervalMs: number }): Promise<{ value: T; at: number }> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    const at = performance.now();
    if (accept(value)) return { value, at };
    if (at > deadline) throw new Error(`${label}: not reached within ${options.timeoutMs} ms; last ${JSON.stringify(value)}`);
    await sleep(options.intervalMs);
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function inPool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}
