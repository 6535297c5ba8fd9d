import { StewardError } from '@steward/domain';
import { ExecutorSettings } from './executor-settings';
import { HostResolver, HttpExecutor, MAX_STEP_DETAIL_CHARS, parseHttpCall, pinnedLookup } from './http.executor';
import type { StepExecutionContext } from './step-executor';

/** DNS pinned by the test: no network is touched, since every call here is refused. */
class FakeResolver extends HostResolver {
  constructor(private readonly answers: Record<string, string[]>) {
    super();
  }
  override async resolve(hostname: string): Promise<string[]> {
    const answer = this.answers[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  }
}

const ctx: StepExecutionContext = {
  changeId: 'CHG-000001',
  stepId: 'deploy',
  phase: 'action',
  idempotencyKey: 'CHG-000001/deploy/action/1',
  signal: new AbortController().signal,
  heartbeat: () => undefined,
};

function executor(allowed: string[] = []): HttpExecutor {
  const resolver = new FakeResolver({
    'metadata.internal': ['169.254.169.254'],
    'mixed.example': ['93.184.216.34', '10.1.2.3'],
    'db.internal': ['fd00::5'],
  });
  return new HttpExecutor(new ExecutorSettings(allowed, 'k'.repeat(32)), resolver);
}

async function refusal(promise: Promise<unknown>): Promise<StewardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StewardError);
  return error as StewardError;
}

describe('HttpExecutor target guard (resolved addresses)', () => {
  it.each([
    ['http://metadata.internal/latest/meta-data', 'link-local', '169.254.169.254'],
    ['https://mixed.example/', 'private', '10.1.2.3'],
    ['http://db.internal:5432/', 'private', 'fd00::5'],
    ['http://[::ffff:127.0.0.1]:8080/', 'loopback', '::ffff:7f00:1'],
    ['http://0x7f.1:8080/', 'loopback', '127.0.0.1'],
    ['http://2130706433/', 'loopback', '127.0.0.1'],
    ['http://0.0.0.0:3000/', 'unspecified', '0.0.0.0'],
    ['http://[fe80::1]/', 'link-local', 'fe80::1'],
    ['http://224.0.0.251/', 'multicast', '224.0.0.251'],
  ])('refuses %s as forbidden, naming the %s address', async (url, addressClass, address) => {
    const error = await refusal(executor().execute({ executor: 'http', url }, ctx));
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain(`${addressClass} address`);
    expect(error.details).toMatchObject({ addressClass, address });
  });

  it('reports an unresolvable host as a failure of the target', async () => {
    await expect(executor().execute({ executor: 'http', url: 'https://nowhere.invalid/' }, ctx)).resolves.toMatchObject({
      outcome: 'failed',
      detail: 'POST https://nowhere.invalid/: could not resolve nowhere.invalid: ENOTFOUND',
    });
  });

  it('does not resolve or call anything once the signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(executor(['*:*']).execute({ executor: 'http', url: 'http://metadata.internal/' }, { ...ctx, signal: controller.signal })).rejects.toThrow('cancelled');
  });
});

describe('parseHttpCall', () => {
  it('applies the defaults', () => {
    const call = parseHttpCall({ executor: 'http', url: 'https://deploy.example.com/run' });
    expect(call).toMatchObject({ method: 'POST', headers: {}, timeoutMs: 30_000 });
    expect(call.successStatus).toBeUndefined();
    expect(call.url.href).toBe('https://deploy.example.com/run');
    expect(parseHttpCall({ executor: 'http', url: 'https://a.example', method: 'patch' }).method).toBe('PATCH');
  });

  it.each([
    [{ url: 'ftp://example.com/x' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 42 }, 'url'],
    [{ url: 'https://user:pass@example.com/' }, 'url'],
    [{ url: 'https://example.com/', method: 'BREW' }, 'method'],
    [{ url: 'https://example.com/', headers: ['x'] }, 'headers'],
    [{ url: 'https://example.com/', headers: { 'X-Count': 1 } }, 'headers.X-Count'],
    [{ url: 'https://example.com/', headers: { 'Idempotency-Key': 'mine' } }, 'headers.Idempotency-Key'],
    [{ url: 'https://example.com/', headers: { 'x-steward-signature': 'sha256=00' } }, 'headers.x-steward-signature'],
    [{ url: 'https://example.com/', headers: { Host: 'internal' } }, 'headers.Host'],
    [{ url: 'https://example.com/', headers: { 'X-Bad': 'a\r\nInjected: 1' } }, 'headers.X-Bad'],
    [{ url: 'https://example.com/', method: 'GET', body: { a: 1 } }, 'body'],
    [{ url: 'https://example.com/', timeoutMs: 0 }, 'timeoutMs'],
    [{ url: 'https://example.com/', timeoutMs: 300_001 }, 'timeoutMs'],
    [{ url: 'https://example.com/', successStatus: [] }, 'successStatus'],
    [{ url: 'https://example.com/', successStatus: [200, 999] }, 'successStatus'],
  ])('refuses %j as invalid, naming %s', (fields, field) => {
    let error: unknown;
    try {
      parseHttpCall({ executor: 'http', ...fields });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StewardError);
    expect(error).toMatchObject({ code: 'invalid', details: { field } });
  });
});

describe('pinnedLookup', () => {
  it('answers the checked address whatever name it is asked, in both callback forms', () => {
    const lookup = pinnedLookup('192.0.2.10') as unknown as (host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => void;
    const single = jest.fn();
    lookup('rebind.example', {}, single);
    expect(single).toHaveBeenCalledWith(null, '192.0.2.10', 4);
    const all = jest.fn();
    lookup('anything.else', { all: true }, all);
    expect(all).toHaveBeenCalledWith(null, [{ address: '192.0.2.10', family: 4 }]);
    const v6 = jest.fn();
    (pinnedLookup('2001:db8::1') as unknown as typeof lookup)('x', {}, v6);
    expect(v6).toHaveBeenCalledWith(null, '2001:db8::1', 6);
  });
});

describe('parseHttpCall and credentials', () => {
  it('keeps the name of a credential, never a value', () => {
    expect(parseHttpCall({ executor: 'http', url: 'https://deploy.example.com/', credential: 'deploy-bot' }).credential).toBe('deploy-bot');
  });

  it.each([
    [{ headers: { Authorization: 'Bearer abcdefgh' } }, 'headers.Authorization'],
    [{ headers: { Cookie: 'sid=1' } }, 'headers.Cookie'],
    [{ headers: { 'X-Trace': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' } }, 'headers.X-Trace'],
    [{ credential: 'not a name' }, 'credential'],
    [{ body: { password: 'hunter2' } }, 'body.password'],
  ])('refuses %j as invalid, naming %s', (fields, field) => {
    expect(() => parseHttpCall({ executor: 'http', url: 'https://deploy.example.com/', ...fields })).toThrow(expect.objectContaining({ code: 'invalid', details: { field } }));
  });
});

describe('HttpExecutor step details', () => {
  it('refuses an unknown credential before resolving anything', async () => {
    const resolver = new FakeResolver({});
    const resolve = jest.spyOn(resolver, 'resolve');
    const http = new HttpExecutor(new ExecutorSettings([], 'k'.repeat(32), {}), resolver);
    await expect(http.execute({ executor: 'http', url: 'https://deploy.example.com/', credential: 'deploy-bot' }, ctx)).rejects.toMatchObject({ code: 'invalid', details: { field: 'credential' } });
    expect(resolve).not.toHaveBeenCalled();
  });

  it('keeps failure details short and redacted', async () => {
    const http = new HttpExecutor(new ExecutorSettings([], 'k'.repeat(32)), new FakeResolver({}));
    const result = await http.execute({ executor: 'http', url: `https://${'a'.repeat(200)}.invalid/${'p'.repeat(200)}` }, ctx);
    expect(result.outcome).toBe('failed');
    expect(result.detail.length).toBeLessThanOrEqual(MAX_STEP_DETAIL_CHARS);
  });
});
