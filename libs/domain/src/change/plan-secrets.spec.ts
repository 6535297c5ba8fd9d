import { planProblems } from './plan-rules';
import { httpCallSecretProblems, isSecretHeaderName, redactSecrets, secretLikeValue } from './plan-secrets';

const JWT_SAMPLE = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWEtand0';
const RANDOM_KEY = 'q8Vn2LxR7tKp4ZsW9yHb3MdF6cJg1NeA';

describe('isSecretHeaderName', () => {
  it.each(['Authorization', 'proxy-authorization', 'Cookie', 'X-Api-Key', 'X-API-KEY', 'Api-Key', 'X-Auth-Token', 'X-Vault-Token', 'Private-Token', 'X-Client-Secret', 'X-Session-Id'])(
    'treats %s as a credential header',
    (name) => expect(isSecretHeaderName(name)).toBe(true),
  );

  it.each(['Content-Type', 'Accept', 'X-Release', 'X-Request-Id', 'User-Agent', 'X-Tokenizer-Mode'])('lets %s through', (name) => expect(isSecretHeaderName(name)).toBe(false));
});

describe('secretLikeValue', () => {
  it.each([
    ['Bearer abcdef123456', 'authorization scheme'],
    ['basic dXNlcjpwYXNz', 'authorization scheme'],
    [JWT_SAMPLE, 'JSON Web Token'],
    ['user=deploy;password=hunter22', 'password'],
    ['api_key: s3cr3tvalue', 'password, secret or token'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'known format'],
    ['AKIAIOSFODNN7EXAMPLE', 'known format'],
    [RANDOM_KEY, 'long random string'],
  ])('finds %s (%s)', (value, why) => expect(secretLikeValue(value)).toContain(why));

  it.each([
    'application/json',
    'payments-api-4.13.0-build-20261205',
    '3f786850e387550fdab836ed7e6dc881de23001b', // a commit sha: lower-case hex
    'sha256:9b2a0d1c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
    '123e4567-e89b-12d3-a456-426614174000',
    'Deploy payments-api to the blue pool',
  ])('lets %s through', (value) => expect(secretLikeValue(value)).toBeUndefined());
});

describe('httpCallSecretProblems', () => {
  const at = 'plan.steps.0.action';

  it('names every header that carries a credential, by its own spelling', () => {
    const problems = httpCallSecretProblems(
      { executor: 'http', url: 'https://deploy.example.com/run', headers: { Authorization: 'Bearer x', Cookie: 'a=b', 'X-Api-Key': 'k', 'X-Trace': JWT_SAMPLE, 'Content-Type': 'application/json' } },
      at,
    );
    expect(problems.map((p) => p.field)).toEqual([`${at}.headers.Authorization`, `${at}.headers.Cookie`, `${at}.headers.X-Api-Key`, `${at}.headers.X-Trace`]);
    expect(problems[0].message).toMatch(/name one the worker holds with "credential"/);
  });

  it('refuses credentials in the URL and in the body', () => {
    expect(httpCallSecretProblems({ executor: 'http', url: 'https://u:p@deploy.example.com/' }, at)).toEqual([expect.objectContaining({ field: `${at}.url`, message: expect.stringContaining('user info') })]);
    expect(httpCallSecretProblems({ executor: 'http', url: 'https://deploy.example.com/run?access_token=abc' }, at)).toEqual([expect.objectContaining({ field: `${at}.url` })]);
    expect(httpCallSecretProblems({ executor: 'http', url: 'https://deploy.example.com/run?release=4.13.0' }, at)).toEqual([]);
    const body = { version: '4.13.0', auth: { password: 'hunter2' }, notes: [`token ${RANDOM_KEY}`], tokenTtl: 5 };
    expect(httpCallSecretProblems({ executor: 'http', url: 'https://deploy.example.com/', body }, at).map((p) => p.field)).toEqual([`${at}.body.auth.password`, `${at}.body.notes.0`]);
  });

  it('checks the shape of a credential name, not whether a worker holds it', () => {
    expect(httpCallSecretProblems({ executor: 'http', url: 'https://deploy.example.com/', credential: 'deploy-bot' }, at)).toEqual([]);
    expect(httpCallSecretProblems({ executor: 'http', url: 'https://deploy.example.com/', credential: 'Bearer abc' }, at)).toEqual([expect.objectContaining({ field: `${at}.credential` })]);
    expect(httpCallSecretProblems({ executor: 'http', url: 'https://deploy.example.com/', credential: 42 }, at)).toEqual([expect.objectContaining({ field: `${at}.credential` })]);
  });

  it('is part of the plan rules, for actions and rollbacks alike', () => {
    const problems = planProblems([
      {
        id: 'deploy',
        name: 'Deploy',
        kind: 'automated',
        action: { executor: 'http', url: 'https://deploy.example.com/run', credential: 'deploy-bot' },
        rollback: { executor: 'http', url: 'https://deploy.example.com/undo', headers: { authorization: 'Basic dXNlcjpwYXNz' } },
        estimatedMinutes: 5,
      },
    ]);
    expect(problems.map((p) => p.field)).toEqual(['plan.steps.0.rollback.headers.authorization']);
  });
});

describe('redactSecrets', () => {
  it('removes what looks like a credential and keeps the rest', () => {
    const text = `HTTP 500: token=abc123xyz; Authorization: Bearer ${RANDOM_KEY} jwt ${JWT_SAMPLE} at https://deploy:pw@host/x, password: "hunter2"`;
    const redacted = redactSecrets(text);
    for (const secret of ['abc123xyz', RANDOM_KEY, JWT_SAMPLE, 'deploy:pw', 'hunter2']) expect(redacted).not.toContain(secret);
    expect(redacted).toContain('HTTP 500');
    expect(redacted).toContain('[redacted]');
  });

  it('leaves ordinary text alone', () => {
    const text = 'POST https://deploy.example.com/run: HTTP 200 OK (application/json)';
    expect(redactSecrets(text)).toBe(text);
  });
});
