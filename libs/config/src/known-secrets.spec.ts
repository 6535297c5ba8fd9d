import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExecutorCredentials } from './executor-credentials';
import { KNOWN_EXAMPLE_SECRETS, exampleSecretProblem } from './known-secrets';
import { ConfigurationError, loadConfig } from './steward-config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  return [];
}

const REAL = 'Zq4vN8pL2xR7tK9sW3yH6bM1dF5cJ0gE'; // what `openssl rand -base64 24` gives
/** 32 random bytes in base64 (`openssl rand -base64 32`): the shape of codec keys and Ed25519 seeds. */
const REAL_KEY = 'pA7k2vQ9xL4mN8rT1wY6zB3cF5hJ0gD2sE9uK7iO4aM=';

describe('start-up refuses secrets published in the repository', () => {
  it.each([
    ['JWT_SECRET', 'dev-only-jwt-secret-change-me-in-production-0123'],
    ['DECISION_SIGNING_KEY', 'dev-only-decision-key-change-me-in-production-0123'],
    ['JWT_SECRET', 'steward-test-secret-0123456789-abcdefghijklmnop'],
    ['DECISION_SIGNING_KEY', 'steward-test-signing-secret-0123456789-abcdefgh'],
    ['JWT_SECRET', 'steward-bench-secret-0123456789-abcdefghijkl'],
  ])('%s = %s is refused, naming the variable and not the value', (variable, value) => {
    const problems = problemsOf({ [variable]: value });
    // A published value of another key's format also breaks that format's rule: the publication is named first.
    expect(problems[0]).toMatch(new RegExp(`^${variable} is a value published in the Steward repository`));
    expect(problems.filter((p) => p.includes('published'))).toHaveLength(1);
    for (const problem of problems) expect(problem).not.toContain(value);
  });

  it('refuses a value that says it is a placeholder', () => {
    expect(problemsOf({ JWT_SECRET: 'please-change-me-before-going-live-0123456789' })).toEqual([expect.stringMatching(/^JWT_SECRET looks like a placeholder/)]);
    expect(problemsOf({ DECISION_SIGNING_KEY: 'an-example-signing-key-of-enough-length-xyz' })[0]).toMatch(/^DECISION_SIGNING_KEY looks like a placeholder/);
    // Copied from the documentation's EXECUTOR_CREDENTIALS example without filling it in.
    const copied = JSON.stringify({ 'deploy-bot': { headers: { Authorization: 'Bearer <the token your deploy system issued>' }, origins: ['https://deploy.example.com'] } });
    expect(problemsOf({ EXECUTOR_CREDENTIALS: copied })).toEqual([expect.stringMatching(/^EXECUTOR_CREDENTIALS\.deploy-bot\.headers\.Authorization looks like a placeholder/)]);
  });

  it("refuses the old compose fallback as a database URL's password", () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://steward:steward-dev-password@db:5432/steward' })).toEqual([expect.stringMatching(/^DATABASE_URL \(its password\) is a value published/)]);
    expect(problemsOf({ DATABASE_URL: `postgres://app:${REAL}@db/steward`, DATABASE_MIGRATION_URL: 'postgres://owner:steward-dev-password@db/steward' })).toEqual([
      expect.stringMatching(/^DATABASE_MIGRATION_URL \(its password\)/),
    ]);
  });

  it('checks the secrets of the other slices too, a list key by key', () => {
    expect(problemsOf({ WORKER_SECRET: 'steward-test-signing-secret-0123456789-abcdefgh' })).toEqual([expect.stringMatching(/^WORKER_SECRET is a value published/)]);
    expect(problemsOf({ PAYLOAD_CODEC_KEYS: `k2:${REAL_KEY},test-1:v02Sj1LNvuYFHXdbK929hs7drMT1+EY1Yd38DC+nVFA=` })).toEqual([expect.stringMatching(/^PAYLOAD_CODEC_KEYS is a value published/)]);
    expect(problemsOf({ PAYLOAD_CODEC_KEYS: `k2:${REAL_KEY}`, WORKER_SECRET: `${REAL}w` })).toEqual([]);
  });

  it('accepts real secrets', () => {
    const config = loadConfig({ JWT_SECRET: REAL, DECISION_SIGNING_KEY: REAL_KEY, DATABASE_URL: `postgres://app:${REAL}@db/steward` });
    expect(config.auth.jwtSecret).toBe(REAL);
    expect(config.databaseMigrationUrl).toBe(config.databaseUrl);
  });

  it('lists the secrets of the test harness, so a copy into a deployment is refused', () => {
    // Kept in step with test/support/harness.ts by this test rather than by memory.
    expect(KNOWN_EXAMPLE_SECRETS).toEqual(expect.arrayContaining(['steward-test-secret-0123456789-abcdefghijklmnop', 'steward-test-signing-secret-0123456789-abcdefgh']));
    expect(exampleSecretProblem('X', undefined)).toBeUndefined();
    expect(exampleSecretProblem('X', REAL)).toBeUndefined();
  });
});

describe('database roles', () => {
  it('reads the migration URL and the application role', () => {
    const config = loadConfig({ DATABASE_URL: `postgres://steward_app:${REAL}@db/steward`, DATABASE_MIGRATION_URL: `postgres://steward_owner:${REAL}@db/steward`, DATABASE_APP_ROLE: 'steward_app' });
    expect(config.databaseMigrationUrl).toBe(`postgres://steward_owner:${REAL}@db/steward`);
    expect(config.databaseAppRole).toBe('steward_app');
  });

  it('refuses a role name that is not a plain identifier', () => {
    expect(problemsOf({ DATABASE_APP_ROLE: 'app; DROP TABLE audit_event' })).toEqual([expect.stringMatching(/^DATABASE_APP_ROLE must be/)]);
  });
});

describe('EXECUTOR_CREDENTIALS', () => {
  const good = { 'deploy-bot': { headers: { Authorization: `Bearer ${REAL}` }, origins: ['https://deploy.example.com', 'http://10.0.0.5:8080/'] } };

  it('reads inline JSON and normalises origins', () => {
    const config = loadConfig({ EXECUTOR_CREDENTIALS: JSON.stringify(good) });
    expect(config.executorCredentials).toEqual({ 'deploy-bot': { headers: { Authorization: `Bearer ${REAL}` }, origins: ['https://deploy.example.com', 'http://10.0.0.5:8080'] } });
  });

  it('reads a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-creds-'));
    const path = join(dir, 'credentials.json');
    writeFileSync(path, JSON.stringify(good));
    expect(Object.keys(loadConfig({ EXECUTOR_CREDENTIALS: path }).executorCredentials)).toEqual(['deploy-bot']);
    expect(problemsOf({ EXECUTOR_CREDENTIALS: join(dir, 'missing.json') })).toEqual([expect.stringMatching(/^EXECUTOR_CREDENTIALS: cannot read the file .*missing\.json: ENOENT/)]);
  });

  it('names every bad entry and never repeats a value', () => {
    const { problems } = parseExecutorCredentials(
      JSON.stringify({
        'bad name!': { headers: { A: 'b' }, origins: ['https://a.example'] },
        nohost: { headers: { Authorization: `Bearer ${REAL}` } },
        path: { headers: { 'X-Token': REAL }, origins: ['https://a.example/deploy'] },
        reserved: { headers: { Host: 'evil', 'X-Steward-Signature': 'x' }, origins: ['https://a.example'] },
        example: { headers: { Authorization: 'Bearer dev-only-jwt-secret-change-me-in-production-0123' }, origins: ['https://a.example'] },
        extra: { headers: { A: 'b' }, origins: ['https://a.example'], scope: 'all' },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^EXECUTOR_CREDENTIALS: "bad name!" is not a credential name/),
      expect.stringMatching(/^EXECUTOR_CREDENTIALS\.nohost\.origins must be a non-empty list/),
      expect.stringMatching(/^EXECUTOR_CREDENTIALS\.path\.origins: "https:\/\/a\.example\/deploy" is not an http\(s\) origin/),
      expect.stringMatching(/^EXECUTOR_CREDENTIALS\.reserved\.headers\.Host is not a header/),
      expect.stringMatching(/^EXECUTOR_CREDENTIALS\.reserved\.headers\.X-Steward-Signature is not a header/),
      expect.stringMatching(/^EXECUTOR_CREDENTIALS\.example\.headers\.Authorization looks like a placeholder/),
      expect.stringMatching(/^EXECUTOR_CREDENTIALS\.extra\.scope is not a credential field/),
    ]);
    for (const problem of problems) expect(problem).not.toContain(REAL);
  });

  it('says where JSON is broken without echoing it', () => {
    expect(problemsOf({ EXECUTOR_CREDENTIALS: `{"deploy-bot": {"headers": {"Authorization": "Bearer ${REAL}"` })).toEqual(['EXECUTOR_CREDENTIALS is not valid JSON']);
  });
});
