import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigurationError, loadConfig, processesOf } from '@steward/config';
import { DEMO_USERS, signToken } from '@steward/identity';
import { freeLoopbackPort, seedDemoData, startEmbeddedPostgres, stewardDataSourceOptions, type EmbeddedPostgres } from '@steward/persistence';
import { decisionVerifyKeyOf, generateDecisionKeyPair, generatePayloadCodecKey, parseDecisionSigningKey, parsePayloadCodecKeys } from '@steward/security';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '@steward/temporal';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StewardLogger } from '@steward/observability';
import { DataSource } from 'typeorm';
import { createApi } from '../apps/api/src/create-api';
import { WorkerModule } from '../apps/worker/src/worker.module';

/**
 * `npm start`: a whole Steward on one machine with nothing installed. Temporal and PostgreSQL
 * are embedded unless TEMPORAL_ADDRESS / DATABASE_URL name real ones; the API and the worker
 * run in this process. Ctrl-C stops them in order: API, worker (drained), then the servers.
 */
const say = (line = '') => process.stdout.write(`${line}\n`);


/** A per-installation secret kept under DATA_DIR, so demo tokens survive restarts. */
function localSecret(dataDir: string, name: string): string {
  const path = join(dataDir, name);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * AUDIT_SIGNING_KEY when unset: an Ed25519 key generated once into DATA_DIR/audit-signing-key.pem
 * (mode 0600). Keep a copy of its public half elsewhere: it is what proves the audit trail later.
 */
function localAuditSigningKey(dataDir: string): string {
  const path = join(dataDir, 'audit-signing-key.pem');
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  writeFileSync(path, pem, { mode: 0o600 });
  return pem;
}

/**
 * The decision key pair under DATA_DIR (the private half for the API, the public half for the
 * worker), made on first start. A configured DECISION_SIGNING_KEY wins; its public half follows.
 */
function localDecisionKeys(dataDir: string, configured: { signing?: string; verify?: string }): { signingKey: string; verifyKey: string } {
  if (configured.signing) return { signingKey: configured.signing, verifyKey: configured.verify ?? decisionVerifyKeyOf(parseDecisionSigningKey(configured.signing)) };
  const signingPath = join(dataDir, 'decision-signing-key');
  const verifyPath = join(dataDir, 'decision-verify-key');
  if (!existsSync(signingPath)) {
    const pair = generateDecisionKeyPair();
    writeFileSync(signingPath, `${pair.signingKey}\n`, { mode: 0o600 });
    writeFileSync(verifyPath, `${pair.verifyKey}\n`, { mode: 0o600 });
  }
  const signingKey = readFileSync(signingPath, 'utf8').trim();
  return { signingKey, verifyKey: decisionVerifyKeyOf(parseDecisionSigningKey(signingKey, signingPath)) };
}

/** The embedded dev server's ports: fixed by default, so the Temporal UI has a stable address. */
function launcherPort(variable: string, fallback: number): number {
  const value = process.env[variable];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new ConfigurationError([`${variable} must be a port number (1 to 65535), got "${value}"`]);
  return port;
}

async function main(): Promise<void> {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  // Graceful stops in start order (run in reverse), each bounded; and what a second Ctrl-C does.
  const stops: Array<{ name: string; stop: () => Promise<unknown>; graceMs: number }> = [];
  const kills: Array<() => void> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nstopping Steward (Ctrl-C again to stop at once)...');
    for (const { name, stop, graceMs } of stops.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
      const outcome = await Promise.race([stop().then(() => 'stopped' as const), late]).catch((error: unknown) => {
        process.stderr.write(`stopping the ${name}: ${(error as Error).message}\n`);
        return 'failed' as const;
      });
      clearTimeout(timer);
      if (outcome === 'late') process.stderr.write(`the ${name} did not stop within ${graceMs / 1000} s; going on\n`);
    }
    process.exit(code);
  };
  const stopAtOnce = () => {
    // The servers are durable (SQLite for Temporal, WAL for PostgreSQL): an immediate stop loses
    // nothing committed, and a workflow task or activity cut short is retried after the restart.
    say('\nstopping at once.');
    for (const kill of kills) kill();
    process.exit(130);
  };
  const onSignal = () => (stopping ? stopAtOnce() : void stopAll(0));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let temporalAddress = config.temporal.address;
    let temporal: EmbeddedTemporal | undefined;
    if (!temporalAddress) {
      say('starting the embedded Temporal dev server...');
      temporal = await startEmbeddedTemporal({
        dataDir: config.dataDir,
        namespace: config.temporal.namespace,
        port: launcherPort('TEMPORAL_DEV_PORT', 7233),
        uiPort: launcherPort('TEMPORAL_DEV_UI_PORT', 8233),
        cliPath: config.temporal.cliPath,
      });
      stops.push({ name: 'Temporal dev server', stop: () => temporal!.stop(), graceMs: 20_000 });
      kills.push(() => temporal!.kill());
      temporalAddress = temporal.address;
    }

    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      say('starting the embedded PostgreSQL...');
      const pg: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'postgres'), port: await freeLoopbackPort() });
      stops.push({ name: 'embedded PostgreSQL', stop: () => pg.stop(), graceMs: 35_000 });
      kills.push(() => pg.kill());
      databaseUrl = pg.url;
    }

    const db = await new DataSource(stewardDataSourceOptions({ url: databaseUrl, applicationName: 'steward-setup', poolSize: 1 })).initialize();
    const migrations = await db.runMigrations({ transaction: 'each' });
    const seeded = await seedDemoData(db);
    await db.destroy();
    say(`database ready (${migrations.length} migrations applied, ${seeded} demo CIs added)`);

    const jwtSecret = config.auth.jwtSecret ?? (config.auth.oidcIssuer ? undefined : localSecret(config.dataDir, 'jwt-secret'));
    const decisionKeys = localDecisionKeys(config.dataDir, { signing: config.decisionSigningKey, verify: config.decisionVerifyKey });
    const workerSecret = config.workerSecret ?? localSecret(config.dataDir, 'worker-secret');
    // Payloads in Temporal are encrypted from the first start: a key of our own unless configured.
    const payloadCodecKeys =
      config.payloadCodecKeys ??
      (() => {
        const path = join(config.dataDir, 'payload-codec-keys');
        if (!existsSync(path)) writeFileSync(path, `${generatePayloadCodecKey(`local-${Date.now().toString(36)}`)}\n`, { mode: 0o600 });
        return parsePayloadCodecKeys(readFileSync(path, 'utf8'), path);
      })();
    const temporalOptions = { ...config.temporal, address: temporalAddress };
    const auditCheckpoints = { ...config.auditCheckpoints, signingKey: config.auditCheckpoints.signingKey ?? localAuditSigningKey(config.dataDir) };

    const worker: INestApplicationContext = await NestFactory.createApplicationContext(
      WorkerModule.forRoot({ databaseUrl, temporal: temporalOptions, decisionVerifyKey: decisionKeys.verifyKey, workerSecret, payloadCodecKeys, executorAllowedTargets: config.executorAllowedTargets, executorCredentials: config.executorCredentials, logLevel: config.logLevel, processes: processesOf(config), auditCheckpoints }),
      { bufferLogs: true },
    );
    worker.useLogger(worker.get(StewardLogger));
    // The worker drains: running activities get its 20 s shutdown grace, then it stops polling.
    stops.push({ name: 'worker', stop: () => worker.close(), graceMs: 30_000 });

    const api = await createApi({ databaseUrl, temporal: temporalOptions, auth: { ...config.auth, jwtSecret }, logLevel: config.logLevel, cmdb: config.cmdb, decisionSigningKey: decisionKeys.signingKey, payloadCodecKeys, temporalUiOrigin: config.temporalUiOrigin ?? temporal?.uiUrl, changeProcess: config.changeProcess, processes: processesOf(config), abuse: config.abuse, web: config.web, auditCheckpoints, sodImplementer: config.sodImplementer,
      // The console (dist/console beside dist/scripts) and, only here and only without an OIDC
      // issuer, its demo sign-in: the tokens this banner prints, minted on request.
      consoleRoot: join(__dirname, '..', 'console'),
      ...(jwtSecret && !config.auth.oidcIssuer ? { demoSignIn: { jwtSecret } } : {}),
    }, { shutdownHooks: false });
    await api.listen(config.port, '127.0.0.1');
    stops.push({ name: 'API', stop: () => api.close(), graceMs: 10_000 });

    const base = `http://127.0.0.1:${config.port}`;
    say();
    say('Steward is running.');
    say(`  Console       ${base}/`);
    say(`  API           ${base}/api`);
    say(`  OpenAPI       ${base}/docs`);
    say(`  Health        ${base}/health`);
    say(`  Temporal UI   ${temporal ? temporal.uiUrl : `(your Temporal server at ${temporalAddress})`}`);
    say(`  Temporal      ${temporalAddress} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`);
    say(`  PostgreSQL    ${databaseUrl.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@')}`);
    say(`  Data          ${config.dataDir}`);
    say(`  Codec         ${base}/codec (Temporal UI: Data Encoder settings; CLI: --codec-endpoint ${base}/codec --codec-auth 'Bearer <admin token>')`);
    if (jwtSecret) {
      say();
      say('Demo bearer tokens (valid 12 hours; restart for fresh ones):');
      for (const [part, user] of Object.entries(DEMO_USERS)) {
        say(`  ${part.padEnd(16)} ${user.id.padEnd(6)} ${(await signToken(jwtSecret, user)).padEnd(0)}`);
      }
      say();
      say(`Try: curl -H "Authorization: Bearer <requester token>" ${base}/api/changes`);
    }
    say('Ctrl-C stops everything.');
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigurationError ? error.message : (error as Error).stack}\n`);
    await stopAll(1);
  }
}

void main();
