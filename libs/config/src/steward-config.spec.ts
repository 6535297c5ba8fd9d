import { generateKeyPairSync } from 'node:crypto';
import { ConfigurationError, DEFAULT_ABUSE_SETTINGS, loadConfig, requireServerConfig } from './steward-config';

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

  it('lets a worker run without token settings', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/s', TEMPORAL_ADDRESS: 'localhost:7233', DECISION_SIGNING_KEY: 'k'.repeat(32) });
    expect(() => requireServerConfig(config, 'worker')).not.toThrow();
  });

  it('asks both processes for the signing key they share', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/s', TEMPORAL_ADDRESS: 'localhost:7233' });
    expect(() => requireServerConfig(config, 'worker')).toThrow(/DECISION_SIGNING_KEY/);
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
