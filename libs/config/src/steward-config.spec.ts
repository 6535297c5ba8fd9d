import { generateDecisionKeyPair, generatePayloadCodecKey } from '@steward/security';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, DEFAULT_ABUSE_SETTINGS, loadConfig, requireServerConfig } from './steward-config';

const pair = generateDecisionKeyPair();
const codecKeys = generatePayloadCodecKey('k1');

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadConfig', () => {
  it('gives the embedded defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.temporal).toEqual({ address: undefined, namespace: 'default', taskQueue: 'steward', cliPath: undefined });
    expect(config.logLevel).toBe('info');
    expect(config.dataDir).toMatch(/\.data$/);
    expect(config.executorAllowedTargets).toEqual([]);
  });

  it('reads every variable of the contract', () => {
    const config = loadConfig({
      PORT: '8080',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://u:p@db:5432/steward',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'ops',
      TEMPORAL_TASK_QUEUE: 'steward-eu',
      EXECUTOR_ALLOWED_TARGETS: '127.0.0.1:*, 10.0.0.5:8443',
      DATA_DIR: '/var/lib/steward',
      LOG_LEVEL: 'debug',
    });
    expect(config.port).toBe(8080);
    expect(config.temporal).toMatchObject({ address: 'temporal:7233', namespace: 'ops', taskQueue: 'steward-eu' });
    expect(config.executorAllowedTargets).toEqual(['127.0.0.1:*', '10.0.0.5:8443']);
    expect(config.dataDir).toBe('/var/lib/steward');
  });

  it('reads the identity settings: OIDC issuer with its audience, claim paths, SOD_IMPLEMENTER', () => {
    const config = loadConfig({
      OIDC_ISSUER: 'https://id.example.com/realms/ops',
      OIDC_AUDIENCE: 'steward-api',
      OIDC_ROLES_CLAIM: 'realm_access.roles',
      OIDC_GROUPS_CLAIM: 'groups',
      SOD_IMPLEMENTER: 'any',
    });
    expect(config.auth).toMatchObject({ oidcIssuer: 'https://id.example.com/realms/ops', oidcAudience: 'steward-api', rolesClaim: 'realm_access.roles', groupsClaim: 'groups' });
    expect(config.sodImplementer).toBe('any');
    expect(loadConfig({}).sodImplementer).toBe('distinct');
  });

  it('refuses an OIDC issuer without an audience, a bad claim path and an unknown SoD mode, naming each variable', () => {
    const problems = problemsOf({ OIDC_ISSUER: 'https://id.example.com', OIDC_ROLES_CLAIM: 'realm access', SOD_IMPLEMENTER: 'none' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_AUDIENCE must be set when OIDC_ISSUER is set/),
        expect.stringMatching(/^OIDC_ROLES_CLAIM must be/),
        'SOD_IMPLEMENTER must be distinct or any',
      ]),
    );
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      JWT_SECRET: 'short',
      DATABASE_URL: 'mysql://db',
      TEMPORAL_ADDRESS: 'no-port',
      LOG_LEVEL: 'loud',
      EXECUTOR_ALLOWED_TARGETS: 'example.com',
    });
    const text = problems.join('\n');
    for (const name of ['PORT', 'JWT_SECRET', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'LOG_LEVEL', 'EXECUTOR_ALLOWED_TARGETS']) {
      expect(text).toContain(name);
    }
    expect(problems).toHaveLength(6);
  });

  it('refuses a port out of range', () => {
    expect(problemsOf({ PORT: '70000' }).join()).toContain('PORT');
  });

  it('ignores variables that are not its own', () => {
    expect(() => loadConfig({ HOME: '/root', SOMETHING_ELSE: '1' })).not.toThrow();
  });
});

describe('requireServerConfig', () => {
  it('asks a standalone API for a database, a Temporal address and a token verifier', () => {
    expect(() => requireServerConfig(loadConfig({}), 'api')).toThrow(/DATABASE_URL[\s\S]*TEMPORAL_ADDRESS[\s\S]*JWT_SECRET or OIDC_ISSUER/);
  });

  const servers = { DATABASE_URL: 'postgres://db/s', TEMPORAL_ADDRESS: 'localhost:7233', PAYLOAD_CODEC_KEYS: codecKeys };

  it('lets a worker run without token settings', () => {
    const config = loadConfig({ ...servers, DECISION_VERIFY_KEY: pair.verifyKey, WORKER_SECRET: 'w'.repeat(32) });
    expect(() => requireServerConfig(config, 'worker')).not.toThrow();
  });

  it('gives the API the decision private key, the worker the public key and its own secret', () => {
    expect(() => requireServerConfig(loadConfig({ ...servers, JWT_SECRET: 'j'.repeat(32) }), 'api')).toThrow(/DECISION_SIGNING_KEY must be set for the API/);
    expect(() => requireServerConfig(loadConfig({ ...servers, JWT_SECRET: 'j'.repeat(32), DECISION_SIGNING_KEY: pair.signingKey }), 'api')).not.toThrow();
    const bare = () => requireServerConfig(loadConfig(servers), 'worker');
    expect(bare).toThrow(/DECISION_VERIFY_KEY must be set for the worker/);
    expect(bare).toThrow(/WORKER_SECRET must be set/);
  });

  it('refuses to start a worker that was handed the decision private key', () => {
    const config = loadConfig({ ...servers, DECISION_SIGNING_KEY: pair.signingKey, DECISION_VERIFY_KEY: pair.verifyKey, WORKER_SECRET: 'w'.repeat(32) });
    expect(() => requireServerConfig(config, 'worker')).toThrow(/DECISION_SIGNING_KEY must not be given to the worker/);
  });

  it('refuses the old shared secret, a verify key that is not the signing key\'s, and names them', () => {
    expect(problemsOf({ DECISION_SIGNING_KEY: 'dev-only-decision-key-change-me-in-production-0123' }).join()).toMatch(/DECISION_SIGNING_KEY/);
    expect(problemsOf({ DECISION_SIGNING_KEY: pair.signingKey, DECISION_VERIFY_KEY: generateDecisionKeyPair().verifyKey }).join()).toMatch(/DECISION_VERIFY_KEY is not the public key of DECISION_SIGNING_KEY/);
    expect(problemsOf({ WORKER_SECRET: 'short' }).join()).toMatch(/WORKER_SECRET must be at least 32 characters/);
  });

  it('asks both processes for the payload codec keys and names bad ones', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/s', TEMPORAL_ADDRESS: 'localhost:7233', DECISION_VERIFY_KEY: pair.verifyKey, WORKER_SECRET: 'w'.repeat(32) });
    expect(() => requireServerConfig(config, 'worker')).toThrow(/PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE must be set/);
    expect(problemsOf({ PAYLOAD_CODEC_KEYS: 'k1:c2hvcnQ=' }).join()).toMatch(/PAYLOAD_CODEC_KEYS: key "k1" must be 32 bytes/);
    expect(problemsOf({ PAYLOAD_CODEC_KEY_FILE: '/nonexistent/keys' }).join()).toMatch(/PAYLOAD_CODEC_KEY_FILE: cannot read \/nonexistent\/keys/);
    const dir = mkdtempSync(join(tmpdir(), 'steward-config-'));
    writeFileSync(join(dir, 'keys'), `${generatePayloadCodecKey('new')}\n${codecKeys}\n`);
    expect(loadConfig({ PAYLOAD_CODEC_KEY_FILE: join(dir, 'keys') }).payloadCodecKeys?.map((k) => k.id)).toEqual(['new', 'k1']);
    expect(problemsOf({ PAYLOAD_CODEC_KEYS: codecKeys, PAYLOAD_CODEC_KEY_FILE: join(dir, 'keys') }).join()).toMatch(/exclude each other/);
    expect(problemsOf({ TEMPORAL_UI_ORIGIN: 'http://ui.example.com/path' }).join()).toMatch(/TEMPORAL_UI_ORIGIN must be an origin/);
    expect(loadConfig({ TEMPORAL_UI_ORIGIN: 'http://127.0.0.1:8233' }).temporalUiOrigin).toBe('http://127.0.0.1:8233');
  });
});

describe('Temporal connection settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-tls-'));
  const cert = join(dir, 'client.pem');
  const key = join(dir, 'client.key');
  beforeAll(() => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=steward-worker', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  });

  it('is plain gRPC unless something asks for TLS', () => {
    expect(loadConfig({}).temporal.connection).toBeUndefined();
    expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.connection).toEqual({ enabled: true });
  });

  it('reads an mTLS pair, a CA and a server name, and an API key implies TLS', () => {
    expect(loadConfig({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: cert, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }).temporal.connection).toEqual({
      certPath: cert,
      keyPath: key,
      caPath: cert,
      serverName: 'temporal.internal',
      enabled: true,
    });
    expect(loadConfig({ TEMPORAL_API_KEY: 'cloud-api-key-123' }).temporal.connection).toEqual({ apiKey: 'cloud-api-key-123', enabled: true });
  });

  it('refuses a certificate without its key, unreadable or swapped files, and names the variable', () => {
    expect(problemsOf({ TEMPORAL_TLS_CERT: cert }).join()).toMatch(/TEMPORAL_TLS_CERT is set without TEMPORAL_TLS_KEY/);
    expect(problemsOf({ TEMPORAL_TLS_KEY: key }).join()).toMatch(/TEMPORAL_TLS_KEY is set without TEMPORAL_TLS_CERT/);
    expect(problemsOf({ TEMPORAL_TLS_CERT: join(dir, 'missing.pem'), TEMPORAL_TLS_KEY: key }).join()).toMatch(/TEMPORAL_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)/);
    expect(problemsOf({ TEMPORAL_TLS_CERT: key, TEMPORAL_TLS_KEY: cert }).join()).toMatch(/TEMPORAL_TLS_CERT: .* is not a PEM certificate[\s\S]*TEMPORAL_TLS_KEY: .* is not a PEM private key/);
    expect(problemsOf({ TEMPORAL_TLS_CA: join(dir, 'missing-ca.pem') }).join()).toMatch(/TEMPORAL_TLS_CA: cannot read/);
    expect(problemsOf({ TEMPORAL_API_KEY: 'cloud-api-key-123', TEMPORAL_TLS: 'false' }).join()).toMatch(/TEMPORAL_TLS=false contradicts/);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.key');
      writeFileSync(locked, 'x');
      chmodSync(locked, 0o000);
      expect(problemsOf({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: locked }).join()).toMatch(/TEMPORAL_TLS_KEY: cannot read .*\(EACCES\)/);
    }
  });

  it('reads the change process durations and refuses an order that makes no sense', () => {
    const config = loadConfig({ APPROVAL_REMINDER_AFTER: '30m', APPROVAL_ESCALATE_AFTER: '2h', APPROVAL_EXPIRE_AFTER: '3d', WINDOW_CLOSE_POLICY: 'hold' });
    expect(config.changeProcess).toMatchObject({ approvalReminderMs: 1_800_000, approvalEscalationMs: 7_200_000, approvalExpiryMs: 259_200_000, windowClosePolicy: 'hold' });
    expect(problemsOf({ APPROVAL_REMINDER_AFTER: '3d', APPROVAL_EXPIRE_AFTER: '1h' }).join()).toMatch(/APPROVAL_REMINDER_AFTER < APPROVAL_ESCALATE_AFTER < APPROVAL_EXPIRE_AFTER/);
    expect(problemsOf({ APPROVAL_EXPIRE_AFTER: 'soon', WINDOW_CLOSE_POLICY: 'panic' }).join()).toMatch(/APPROVAL_EXPIRE_AFTER[\s\S]*WINDOW_CLOSE_POLICY/);
  });

  it('reads the incident and problem process settings, defaults from issue 6, and names bad values', () => {
    expect(loadConfig({}).incidentProcess).toEqual({ commanderDeadlineMs: 900_000, stakeholderUpdateMs: { P1: 1_800_000, P2: 3_600_000 }, handoverTimeoutMs: 900_000, dutyManagerGroup: 'duty-managers' });
    const config = loadConfig({ INCIDENT_COMMANDER_DEADLINE: '5m', STAKEHOLDER_UPDATE_P1: '20m', HANDOVER_TIMEOUT: '2m', PROBLEM_RECURRENCE_COUNT: '4', PROBLEM_OBSERVATION: '3d' });
    expect(config.incidentProcess).toMatchObject({ commanderDeadlineMs: 300_000, stakeholderUpdateMs: { P1: 1_200_000, P2: 3_600_000 }, handoverTimeoutMs: 120_000 });
    expect(config.problemProcess).toMatchObject({ recurrenceCount: 4, observationMs: 259_200_000 });
    const problems = problemsOf({ INCIDENT_COMMANDER_DEADLINE: 'soon', PROBLEM_RECURRENCE_COUNT: '1', NOTIFY_WEBHOOK_URL: 'not a url' }).join('\n');
    expect(problems).toMatch(/INCIDENT_COMMANDER_DEADLINE/);
    expect(problems).toMatch(/PROBLEM_RECURRENCE_COUNT/);
    expect(problems).toMatch(/NOTIFY_WEBHOOK_URL/);
  });
});

describe('abuse, web and audit checkpoint settings', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const privateBase64 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const publicBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

  it('defaults: limits on, CORS closed, no HSTS, no proxy trusted, no checkpoint key', () => {
    const config = loadConfig({});
    expect(config.abuse).toEqual(DEFAULT_ABUSE_SETTINGS);
    expect(config.web).toEqual({ corsOrigins: [], hstsMaxAgeSeconds: undefined, trustProxy: undefined });
    expect(config.auditCheckpoints).toEqual({ signingKey: undefined, trustedPublicKeys: [], everyMs: 600_000, everyEvents: 1000 });
  });

  it('reads the limits (0 disables), origins, HSTS, proxies, key and schedule', () => {
    const config = loadConfig({
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
      RATE_LIMIT_WRITES_PER_MINUTE: '30',
      RATE_LIMIT_WRITES_PER_ADDRESS_PER_MINUTE: '300',
      EVENT_STREAMS_PER_PRINCIPAL: '2',
      CORS_ORIGINS: 'https://console.example.com, http://localhost:5173',
      HSTS_MAX_AGE: '31536000',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      AUDIT_SIGNING_KEY: privateBase64,
      AUDIT_TRUSTED_PUBLIC_KEYS: publicBase64,
      AUDIT_CHECKPOINT_EVERY: '5m',
      AUDIT_CHECKPOINT_EVENTS: '0',
    });
    expect(config.abuse).toEqual({ authFailuresPerMinute: 0, writesPerMinute: 30, writesPerAddressPerMinute: 300, eventStreamsPerPrincipal: 2 });
    expect(config.web).toEqual({ corsOrigins: ['https://console.example.com', 'http://localhost:5173'], hstsMaxAgeSeconds: 31_536_000, trustProxy: 'loopback, 10.0.0.0/8' });
    expect(config.auditCheckpoints).toEqual({ signingKey: privateBase64, trustedPublicKeys: [publicBase64], everyMs: 300_000, everyEvents: 0 });
    expect(loadConfig({ AUDIT_SIGNING_KEY: privatePem }).auditCheckpoints.signingKey).toBe(privatePem.trim());
  });

  it('names each bad value', () => {
    const { privateKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() =>
      loadConfig({
        RATE_LIMIT_WRITES_PER_MINUTE: '-1',
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 'lots',
        EVENT_STREAMS_PER_PRINCIPAL: '1.5',
        CORS_ORIGINS: 'https://ok.example.com,*,https://x.example.com/path',
        AUDIT_SIGNING_KEY: rsa.export({ format: 'pem', type: 'pkcs8' }).toString(),
        AUDIT_TRUSTED_PUBLIC_KEYS: 'not a key',
        AUDIT_CHECKPOINT_EVERY: 'often',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.stringMatching(/^RATE_LIMIT_WRITES_PER_MINUTE must be a whole number from 0 to 1000000 \(0 disables\)/),
          expect.stringMatching(/^RATE_LIMIT_AUTH_FAILURES_PER_MINUTE must be a whole number/),
          expect.stringMatching(/^EVENT_STREAMS_PER_PRINCIPAL must be a whole number/),
          expect.stringMatching(/^CORS_ORIGINS: "\*" is not an exact origin/),
          expect.stringMatching(/^CORS_ORIGINS: "https:\/\/x\.example\.com\/path" is not an exact origin/),
          expect.stringMatching(/^AUDIT_SIGNING_KEY must be an Ed25519 private key, not rsa/),
          expect.stringMatching(/^AUDIT_TRUSTED_PUBLIC_KEYS \(key 1\) must be an Ed25519 public key/),
          expect.stringMatching(/^AUDIT_CHECKPOINT_EVERY must be a duration/),
        ]),
      }),
    );
  });
});
