import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigurationError, loadConfig, requireServerConfig } from '@steward/config';
import { DEMO_USERS, signToken } from '@steward/identity';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createApi } from '../../apps/api/src/create-api';
import { createTestDatabase, temporalSettings, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { composeProblems, readCompose } from './support/compose-check';

const ROOT = join(__dirname, '..', '..');
/** What docker-compose.yml fell back to before its secrets became required variables. */
const OLD_COMPOSE_JWT_SECRET = 'dev-only-jwt-secret-change-me-in-production-0123';
const OLD_COMPOSE_DECISION_KEY = 'dev-only-decision-key-change-me-in-production-0123';

function configurationProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    requireServerConfig(loadConfig(env), 'api');
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  return [];
}

/** Every secret-named string constant of the test and bench support files. */
function repositorySecrets(): string[] {
  const found: string[] = [];
  for (const file of ['test/support/harness.ts', 'bench/support.ts']) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/export const \w*(?:SECRET|KEY)\w* = '([^']{32,})'/g)) found.push(match[1]);
  }
  return found;
}

/**
 * Someone has a copy of the repository (it is public, or was): every example, fallback and
 * test secret in it is theirs. A deployment must not be able to run on one of them, and a
 * token minted with one must open nothing.
 */
describe('Governance: an attacker with a copy of the repository', () => {
  // Secrets as an operator generates them. DECISION_SIGNING_KEY is 32 random bytes in base64:
  // long enough for an HMAC secret, and an Ed25519 seed once decisions are signed with Ed25519.
  const realEnv = {
    DATABASE_URL: `postgres://steward_app:${randomBytes(24).toString('hex')}@db:5432/steward`,
    TEMPORAL_ADDRESS: 'temporal:7233',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    DECISION_SIGNING_KEY: randomBytes(32).toString('base64'),
    PAYLOAD_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  };

  describe('start-up', () => {
    it('refuses the old compose fallbacks, naming each variable', () => {
      const problems = configurationProblems({ ...realEnv, JWT_SECRET: OLD_COMPOSE_JWT_SECRET, DECISION_SIGNING_KEY: OLD_COMPOSE_DECISION_KEY });
      expect(problems).toEqual(
        expect.arrayContaining([expect.stringMatching(/^JWT_SECRET is a value published in the Steward repository/), expect.stringMatching(/^DECISION_SIGNING_KEY is a value published/)]),
      );
      for (const problem of problems) expect(problem).not.toMatch(/dev-only|change-me/); // named, never echoed
      expect(configurationProblems({ ...realEnv, DATABASE_URL: 'postgres://steward:steward-dev-password@postgres:5432/steward' })).toEqual([
        expect.stringMatching(/^DATABASE_URL \(its password\) is a value published/),
      ]);
    });

    it('refuses every secret the test harness and the benches use', () => {
      const secrets = repositorySecrets();
      expect(secrets.length).toBeGreaterThanOrEqual(4);
      for (const secret of secrets) {
        expect(configurationProblems({ ...realEnv, JWT_SECRET: secret })).toEqual(expect.arrayContaining([expect.stringMatching(/^JWT_SECRET is a value published/)]));
        expect(configurationProblems({ ...realEnv, DECISION_SIGNING_KEY: secret })).toEqual(expect.arrayContaining([expect.stringMatching(/^DECISION_SIGNING_KEY is a value published/)]));
      }
    });

    it('starts with secrets of its own', () => {
      expect(configurationProblems(realEnv)).toEqual([]);
    });
  });

  describe('a token minted with the old compose fallback', () => {
    let database: TestDatabase;
    let api: NestExpressApplication;
    let http: App;

    beforeAll(async () => {
      database = await createTestDatabase('repository_secrets');
      // The API as a deployment configures it, with its own secrets. The decision key is given
      // under both the HMAC-era and the Ed25519-era option names, so this holds across that change.
      const options = {
        databaseUrl: database.url,
        temporal: temporalSettings(uniqueTaskQueue('repository-secrets')),
        auth: { jwtSecret: realEnv.JWT_SECRET },
        logLevel: 'silent',
        signingSecret: realEnv.DECISION_SIGNING_KEY,
        decisionSigningKey: realEnv.DECISION_SIGNING_KEY,
      } as unknown as Parameters<typeof createApi>[0];
      api = await createApi(options, { shutdownHooks: false });
      await api.listen(0, '127.0.0.1');
      http = api.getHttpServer() as App;
    });

    afterAll(async () => {
      await api?.close();
      await database?.drop();
    });

    it('is 401 against an API configured with a real secret, whoever it claims to be', async () => {
      for (const user of [DEMO_USERS.admin, DEMO_USERS.requester, DEMO_USERS.auditor]) {
        const forged = await signToken(OLD_COMPOSE_JWT_SECRET, user, '1h');
        await request(http).get('/api/changes').set('Authorization', `Bearer ${forged}`).expect(401);
        await request(http).get('/api/audit').set('Authorization', `Bearer ${forged}`).expect(401);
      }
      // The same claims signed with the deployment's own secret are let in: the secret is what was refused.
      const genuine = await signToken(realEnv.JWT_SECRET, DEMO_USERS.auditor, '1h');
      await request(http).get('/api/changes').set('Authorization', `Bearer ${genuine}`).expect(200);
    });
  });

  describe('docker-compose.yml', () => {
    const path = join(ROOT, 'docker-compose.yml');

    it('carries no secret value and publishes Temporal on loopback only', () => {
      expect(composeProblems(path)).toEqual([]);
    });

    it('contains none of the values anyone with the repository knows', () => {
      const { text } = readCompose(path);
      for (const secret of [OLD_COMPOSE_JWT_SECRET, OLD_COMPOSE_DECISION_KEY, 'steward-dev-password', ...repositorySecrets()]) expect(text).not.toContain(secret);
    });

    it('requires every secret the services read, and gives the API and worker the application role only', () => {
      const { services } = readCompose(path);
      const env = (service: string) => services[service].environment as Record<string, string>;
      for (const service of ['api', 'worker']) {
        expect(env(service).PAYLOAD_CODEC_KEYS).toMatch(/^\$\{PAYLOAD_CODEC_KEYS:\?/);
        expect(env(service).DATABASE_URL).toMatch(/^postgres:\/\/steward_app:\$\{STEWARD_DB_APP_PASSWORD:\?/);
        expect(env(service).DATABASE_MIGRATION_URL).toBeUndefined();
      }
      expect(env('api').JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
      expect(env('api').DECISION_SIGNING_KEY).toMatch(/^\$\{DECISION_SIGNING_KEY:\?/);
      // Each process gets only its own secrets: the worker cannot sign a vote nor mint a bearer token.
      expect(env('worker').DECISION_VERIFY_KEY).toMatch(/^\$\{DECISION_VERIFY_KEY:\?/);
      expect(env('worker').WORKER_SECRET).toMatch(/^\$\{WORKER_SECRET:\?/);
      expect(env('worker').DECISION_SIGNING_KEY).toBeUndefined();
      expect(env('worker').JWT_SECRET).toBeUndefined();
      expect(env('api').EXECUTOR_CREDENTIALS).toBeUndefined(); // only the worker holds credentials
      expect(env('migrate').DATABASE_MIGRATION_URL).toMatch(/^postgres:\/\/steward_owner:\$\{STEWARD_DB_OWNER_PASSWORD:\?/);
      expect(env('migrate').DATABASE_APP_ROLE).toBe('steward_app');
      expect(env('migrate').JWT_SECRET).toBeUndefined();
      expect(env('postgres').POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
      expect(services.postgres.ports).toBeUndefined();
    });

    it('would be caught with a fallback secret or a public Temporal port', () => {
      // The check itself, against the file as it was before: it must see both faults.
      const dir = mkdtempSync(join(tmpdir(), 'steward-compose-'));
      const before = readFileSync(path, 'utf8')
        .replace(/\$\{JWT_SECRET:\?[^}]*\}/g, `\${JWT_SECRET:-${OLD_COMPOSE_JWT_SECRET}}`)
        .replace('${TEMPORAL_PUBLISH_ADDRESS:-127.0.0.1}:7233:7233', '7233:7233');
      writeFileSync(join(dir, 'docker-compose.yml'), before);
      const problems = composeProblems(join(dir, 'docker-compose.yml'));
      expect(problems).toEqual(
        expect.arrayContaining([expect.stringMatching(/^api\.JWT_SECRET: a secret must be a required variable/), expect.stringMatching(/^temporal\.ports: "7233:7233" is published beyond loopback/)]),
      );
      expect(problems.join('\n')).not.toContain(OLD_COMPOSE_JWT_SECRET);
    });
  });
});
