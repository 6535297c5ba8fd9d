import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AuditCheckpointSettings, ExecutorCredentials, ProcessOptionsInput } from '@steward/config';
import type { ChangeProcessSettings } from '@steward/domain';
import { signToken, type Principal, type TokenVerifierOptions } from '@steward/identity';
import { stewardDataSourceOptions } from '@steward/persistence';
import { AesGcmPayloadCodec, DecisionSigner, decisionVerifyKeyOf, parseDecisionSigningKey, parsePayloadCodecKeys, type PayloadCodecKey } from '@steward/security';
import { resolveTemporalCli, stewardDataConverter, temporalConnectionOptions, toSdkExecutable, type TemporalTlsSettings } from '@steward/temporal';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/src/create-api';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { testEnv } from './test-env';

export const TEST_JWT_SECRET = 'steward-test-secret-0123456789-abcdefghijklmnop';
/** WORKER_SECRET of the test worker: implementation tokens and executor request signatures. */
export const TEST_WORKER_SECRET = 'steward-test-signing-secret-0123456789-abcdefgh';
/** The name tests used when one secret served every purpose; it is the worker secret now. */
export const TEST_SIGNING_SECRET = TEST_WORKER_SECRET;
/** DECISION_SIGNING_KEY of the test API (an Ed25519 seed), and the worker's DECISION_VERIFY_KEY. */
export const TEST_DECISION_SIGNING_KEY = 'RuPmX1NXfPDMEjAZNxkVwUTi2/Ti5gIM8s/seeEDP8k=';
export const TEST_DECISION_VERIFY_KEY = decisionVerifyKeyOf(parseDecisionSigningKey(TEST_DECISION_SIGNING_KEY));
/**
 * PAYLOAD_CODEC_KEYS of every test process: tests run with payloads encrypted, as production
 * does. A constant, so that histories recorded by tests replay with it.
 */
export const TEST_PAYLOAD_CODEC_KEYS: PayloadCodecKey[] = parsePayloadCodecKeys('test-1:v02Sj1LNvuYFHXdbK929hs7drMT1+EY1Yd38DC+nVFA=');

/** The API's decision signer as the test API holds it: for tests that send decisions themselves. */
export function testDecisionSigner(): DecisionSigner {
  return new DecisionSigner(parseDecisionSigningKey(TEST_DECISION_SIGNING_KEY));
}

export function testPayloadCodec(): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(TEST_PAYLOAD_CODEC_KEYS);
}

/**
 * Rate limits far above anything a test file sends from 127.0.0.1, so the suite never meets
 * them by accident; the abuse tests (test/security) start APIs with low limits of their own.
 */
/** An Ed25519 key of this test process for signed audit checkpoints. */
export const TEST_AUDIT_SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

export const TEST_ABUSE_SETTINGS = { authFailuresPerMinute: 100_000, writesPerMinute: 100_000, writesPerAddressPerMinute: 1_000_000, eventStreamsPerPrincipal: 1_000 };

/** Short enough for tests that watch deadlines pass on the real dev server. */
export const TEST_CHANGE_PROCESS = {
  approvalReminderMs: 60 * 60_000,
  approvalEscalationMs: 2 * 60 * 60_000,
  approvalExpiryMs: 3 * 60 * 60_000,
  windowClosePolicy: 'rollback' as const,
  reviewDueMs: 86_400_000,
};

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  /** A DataSource on it, for assertions; closed by drop(). */
  db: DataSource;
  drop(): Promise<void>;
}

/** A fresh database of its own for one test file, on the run's PostgreSQL. */
export async function createEmptyDatabase(prefix: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const adminUrl = testEnv('postgresUrl');
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: withDatabase(adminUrl, name),
    name,
    async drop() {
      const client = new PgClient({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A fresh database with every migration applied. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(prefix);
  const db = await new DataSource(stewardDataSourceOptions({ url: empty.url, applicationName: 'steward-test', poolSize: 4 })).initialize();
  await db.runMigrations({ transaction: 'each' });
  // Test files share one Temporal server, and workflow ids come from change and problem
  // numbers: each database numbers them from its own random offset so that ids never collide.
  await db.query(`ALTER SEQUENCE change_request_number_seq RESTART WITH ${100_000 + randomBytes(3).readUIntBE(0, 3) * 50}`);
  await db.query(`ALTER SEQUENCE problem_number_seq RESTART WITH ${100_000 + randomBytes(3).readUIntBE(0, 3) * 50}`);
  await db.query(`ALTER SEQUENCE incident_number_seq RESTART WITH ${100_000 + randomBytes(3).readUIntBE(0, 3) * 50}`);
  return {
    ...empty,
    db,
    async drop() {
      if (db.isInitialized) await db.destroy();
      await empty.drop();
    },
  };
}

/** A task queue no other test file polls, so workers never steal each other's tasks. */
export function uniqueTaskQueue(name: string): string {
  return `${name.replace(/[^a-z0-9-]/gi, '-').toLowerCase()}-${randomBytes(4).toString('hex')}`;
}

export function temporalSettings(taskQueue: string): { address: string; namespace: string; taskQueue: string } {
  return { address: testEnv('temporalAddress'), namespace: 'default', taskQueue };
}

let runtimeInstalled = false;

/** The SDK's own logs at warning level: test output shows failures, not worker chatter. */
function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by an earlier file in this Jest worker process.
  }
}

/** The real worker module (activities over the real database) on the run's Temporal server. */
export async function startWorker(
  databaseUrl: string,
  taskQueue: string,
  options: {
    executorAllowedTargets?: string[];
    /** EXECUTOR_CREDENTIALS as loadConfig gives them: named credentials http steps may use. */
    executorCredentials?: ExecutorCredentials;
    processes?: ProcessOptionsInput;
    /** Another Temporal server than the run's (time-skipping, tuned). */
    temporalAddress?: string;
    /** TLS / mTLS / API key settings for that server. */
    temporalConnection?: TemporalTlsSettings;
    /** Default: TEST_PAYLOAD_CODEC_KEYS; `null`: no payload codec. */
    payloadCodecKeys?: PayloadCodecKey[] | null;
    /** Signed audit checkpoints (key and schedule); unset: the worker writes none. */
    auditCheckpoints?: AuditCheckpointSettings;
  } = {},
): Promise<INestApplicationContext> {
  quietTemporalRuntime();
  const temporal = options.temporalAddress ? { ...temporalSettings(taskQueue), address: options.temporalAddress } : temporalSettings(taskQueue);
  return NestFactory.createApplicationContext(
    WorkerModule.forRoot({
      databaseUrl,
      temporal: { ...temporal, connection: options.temporalConnection },
      decisionVerifyKey: TEST_DECISION_VERIFY_KEY,
      workerSecret: TEST_WORKER_SECRET,
      payloadCodecKeys: options.payloadCodecKeys === null ? undefined : (options.payloadCodecKeys ?? TEST_PAYLOAD_CODEC_KEYS),
      executorAllowedTargets: options.executorAllowedTargets ?? [],
      executorCredentials: options.executorCredentials,
      workflowBundlePath: testEnv('workflowBundle'),
      logLevel: 'error',
      processes: options.processes,
      auditCheckpoints: options.auditCheckpoints,
    }),
    { logger: false },
  );
}

/** The real HTTP API, listening on a free loopback port. */
export async function startApi(
  databaseUrl: string,
  taskQueue: string,
  changeProcess: ChangeProcessSettings = TEST_CHANGE_PROCESS,
  processes?: ProcessOptionsInput,
  options: {
    /** Another token verifier (an OIDC issuer). */
    auth?: TokenVerifierOptions;
    /** SOD_IMPLEMENTER (default distinct). */
    sodImplementer?: 'distinct' | 'any';
    /** Default: TEST_PAYLOAD_CODEC_KEYS; `null`: no payload codec. */
    payloadCodecKeys?: PayloadCodecKey[] | null;
    /** The Temporal UI origin the codec endpoint answers CORS requests from. */
    temporalUiOrigin?: string;
    /** A built console to serve at `/` (test/console). */
    consoleRoot?: string;
    /** The embedded launcher's demo sign-in routes, signing with TEST_JWT_SECRET (test/console). */
    demoSignIn?: boolean;
  } = {},
): Promise<NestExpressApplication> {
  const app = await createApi(
    {
      databaseUrl,
      temporal: temporalSettings(taskQueue),
      auth: options.auth ?? { jwtSecret: TEST_JWT_SECRET },
      logLevel: 'silent',
      decisionSigningKey: TEST_DECISION_SIGNING_KEY,
      payloadCodecKeys: options.payloadCodecKeys === null ? undefined : (options.payloadCodecKeys ?? TEST_PAYLOAD_CODEC_KEYS),
      temporalUiOrigin: options.temporalUiOrigin,
      changeProcess,
      processes,
      sodImplementer: options.sodImplementer,
      abuse: TEST_ABUSE_SETTINGS,
      // Configured as a deployment should be: checkpoint routes answer instead of 503.
      auditCheckpoints: { signingKey: TEST_AUDIT_SIGNING_KEY, trustedPublicKeys: [] },
      consoleRoot: options.consoleRoot,
      ...(options.demoSignIn ? { demoSignIn: { jwtSecret: TEST_JWT_SECRET } } : {}),
    },
    { shutdownHooks: false },
  );
  await app.listen(0, '127.0.0.1');
  return app;
}

/** A client of the run's Temporal server, with the test payload codec unless `payloadCodec: null`. */
export async function temporalClient(options: { payloadCodec?: PayloadCodec | null; address?: string; connection?: TemporalTlsSettings } = {}): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect(temporalConnectionOptions(options.address ?? testEnv('temporalAddress'), options.connection));
  const codec = options.payloadCodec === null ? undefined : (options.payloadCodec ?? testPayloadCodec());
  return { client: new Client({ connection, namespace: 'default', dataConverter: stewardDataConverter(codec) }), close: () => connection.close() };
}

export function tokenFor(principal: Principal): Promise<string> {
  return signToken(TEST_JWT_SECRET, principal, '1h');
}

/** Polls until `probe` returns a value the predicate accepts; fails with the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await probe();
  }
  return last;
}

/**
 * A Temporal dev server of the test's own that suggests continue-as-new after `events` history
 * events (the shared server keeps Temporal's default), with a client that reads what the
 * workers encrypt. The caller tears it down.
 */
export function startDevServerSuggestingContinueAsNew(events: number): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: toSdkExecutable(resolveTemporalCli({ log: () => undefined })),
      ip: '127.0.0.1',
      log: { format: 'json', level: 'error' },
      extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${events}`],
    },
    client: { dataConverter: stewardDataConverter(testPayloadCodec()) },
  });
}
