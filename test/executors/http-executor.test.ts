import { Test } from '@nestjs/testing';
import type { ExecutorCredentials } from '@steward/config';
import { StewardError } from '@steward/domain';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ExecutorRegistry,
  ExecutorsModule,
  HttpExecutor,
  MAX_STEP_DETAIL_CHARS,
  type StepExecutionContext,
} from '../../activities/change/executors';

const SIGNING_KEY = 'executor-test-signing-key-0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP target on a loopback port, recording what reaches it. */
async function startTarget(): Promise<{ server: Server; base: string; seen: Seen[]; closed: string[] }> {
  const seen: Seen[] = [];
  const closed: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      seen.push({ method: req.method ?? '', url: path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.on('close', () => {
        if (!res.writableFinished) closed.push(path);
      });
      if (path.startsWith('/ok')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"deployed":true}');
      } else if (path === '/created') {
        res.writeHead(201).end();
      } else if (path === '/fail') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('database migration failed');
      } else if (path === '/redirect') {
        res.writeHead(302, { location: '/redirected' }).end();
      } else if (path === '/redirected') {
        res.writeHead(200).end('followed');
      } else if (path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(MAX_STEP_DETAIL_CHARS + 100_000));
      } else if (path === '/accepted-later') {
        res.writeHead(202).end('queued');
      } else if (path.startsWith('/hang')) {
        // Never answers: the caller's timeout or abort must end it.
      } else {
        res.writeHead(404).end('no such route');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, seen, closed };
}

function context(overrides: Partial<StepExecutionContext> = {}): StepExecutionContext & { beats: unknown[] } {
  const beats: unknown[] = [];
  return {
    changeId: 'CHG-000042',
    stepId: 'deploy-api',
    phase: 'action',
    idempotencyKey: 'CHG-000042:deploy-api:action:1',
    signal: new AbortController().signal,
    heartbeat: (details) => beats.push(details),
    beats,
    ...overrides,
  };
}

async function executorWith(allowedTargets: string[], credentials: ExecutorCredentials = {}): Promise<{ http: HttpExecutor; registry: ExecutorRegistry }> {
  const moduleRef = await Test.createTestingModule({ imports: [ExecutorsModule.forRoot({ allowedTargets, signingKey: SIGNING_KEY, credentials })] }).compile();
  return { http: moduleRef.get(HttpExecutor), registry: moduleRef.get(ExecutorRegistry) };
}

describe('http executor against a real HTTP server', () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  let http: HttpExecutor;

  beforeAll(async () => {
    target = await startTarget();
    ({ http } = await executorWith(['127.0.0.1:*']));
  });

  afterAll(async () => {
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  });

  beforeEach(() => {
    target.seen.length = 0;
    target.closed.length = 0;
  });

  it('refuses a loopback target that EXECUTOR_ALLOWED_TARGETS does not allow, before sending anything', async () => {
    const { http: guarded } = await executorWith(['10.0.0.5:8443']);
    const port = new URL(target.base).port;
    const error = await guarded.execute({ executor: 'http', url: `${target.base}/ok` }, context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StewardError);
    expect(error).toMatchObject({ code: 'forbidden', details: { addressClass: 'loopback', address: '127.0.0.1' } });
    expect((error as Error).message).toBe(
      `http executor refuses ${target.base}: 127.0.0.1 is a loopback address and 127.0.0.1:${port} is not in EXECUTOR_ALLOWED_TARGETS`,
    );
    // The same through a name that resolves to loopback, and through IPv4-mapped IPv6.
    await expect(guarded.execute({ executor: 'http', url: `http://localhost:${port}/ok` }, context())).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('loopback address') });
    await expect(guarded.execute({ executor: 'http', url: `http://[::ffff:127.0.0.1]:${port}/ok` }, context())).rejects.toMatchObject({ code: 'forbidden', details: { addressClass: 'loopback' } });
    expect(target.seen).toHaveLength(0);
  });

  it('allows 127.0.0.1 only on the allowed port', async () => {
    const { http: guarded } = await executorWith(['127.0.0.1:1']);
    await expect(guarded.execute({ executor: 'http', url: `${target.base}/ok` }, context())).rejects.toMatchObject({ code: 'forbidden' });
    expect(target.seen).toHaveLength(0);
  });

  it('reports a 2xx as succeeded with the status and content type, never the response body', async () => {
    const ctx = context();
    const result = await http.execute({ executor: 'http', url: `${target.base}/ok` }, ctx);
    expect(result).toMatchObject({ outcome: 'succeeded', statusCode: 200, detail: `POST ${target.base}/ok: HTTP 200 OK (application/json)` });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(ctx.beats.length).toBeGreaterThanOrEqual(1);
    await expect(http.execute({ executor: 'http', url: `${target.base}/created`, method: 'PUT' }, context())).resolves.toMatchObject({ outcome: 'succeeded', statusCode: 201 });
  });

  it('sends the Steward headers with a signature the target can recompute, and the body as JSON', async () => {
    const before = Math.floor(Date.now() / 1000);
    const url = `${target.base}/ok?release=2024.1`;
    const body = { version: '1.4.2', services: ['api', 'worker'], dryRun: false };
    // The credential is the worker's: the call names it, the worker adds its headers.
    const { http: withCredential } = await executorWith(['127.0.0.1:*'], { 'deploy-bot': { headers: { Authorization: 'Bearer target-token' }, origins: [target.base] } });
    await withCredential.execute({ executor: 'http', url, method: 'PATCH', credential: 'deploy-bot', headers: { 'X-Custom': 'yes' }, body }, context());

    expect(target.seen).toHaveLength(1);
    const [request] = target.seen;
    expect(request.method).toBe('PATCH');
    expect(request.url).toBe('/ok?release=2024.1');
    expect(JSON.parse(request.body)).toEqual(body);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toBe('CHG-000042:deploy-api:action:1');
    expect(request.headers['x-steward-change']).toBe('CHG-000042');
    expect(request.headers['x-steward-step']).toBe('deploy-api');
    expect(request.headers.authorization).toBe('Bearer target-token');
    expect(request.headers['x-custom']).toBe('yes');

    const timestamp = request.headers['x-steward-timestamp'] as string;
    expect(timestamp).toMatch(/^\d+$/);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const expected = createHmac('sha256', SIGNING_KEY).update(`${timestamp}.PATCH.${url}.${request.body}`).digest('hex');
    expect(request.headers['x-steward-signature']).toBe(`sha256=${expected}`);
  });

  it('signs an empty body when there is none, and sends no content type', async () => {
    await http.execute({ executor: 'http', url: `${target.base}/ok`, method: 'DELETE' }, context());
    const [request] = target.seen;
    expect(request.body).toBe('');
    expect(request.headers['content-type']).toBeUndefined();
    const expected = createHmac('sha256', SIGNING_KEY).update(`${request.headers['x-steward-timestamp']}.DELETE.${target.base}/ok.`).digest('hex');
    expect(request.headers['x-steward-signature']).toBe(`sha256=${expected}`);
  });

  it('reports a 500 as failed with the status, without the body and without throwing', async () => {
    await expect(http.execute({ executor: 'http', url: `${target.base}/fail` }, context())).resolves.toMatchObject({
      outcome: 'failed',
      statusCode: 500,
      detail: `POST ${target.base}/fail: HTTP 500 Internal Server Error (text/plain)`,
    });
  });

  it('honours successStatus', async () => {
    await expect(http.execute({ executor: 'http', url: `${target.base}/accepted-later`, successStatus: [200] }, context())).resolves.toMatchObject({ outcome: 'failed', statusCode: 202 });
    await expect(http.execute({ executor: 'http', url: `${target.base}/fail`, successStatus: [500] }, context())).resolves.toMatchObject({ outcome: 'succeeded', statusCode: 500 });
  });

  it('reports a timeout as failed, and the target sees the request dropped', async () => {
    const result = await http.execute({ executor: 'http', url: `${target.base}/hang-timeout`, timeoutMs: 300 }, context());
    expect(result).toMatchObject({ outcome: 'failed', detail: `POST ${target.base}/hang-timeout: timed out after 300 ms` });
    expect(result.statusCode).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(5_000);
    await waitFor(() => target.closed.includes('/hang-timeout'));
  });

  it('does not follow a redirect: a 302 is a failure naming the location', async () => {
    const result = await http.execute({ executor: 'http', url: `${target.base}/redirect` }, context());
    expect(result).toMatchObject({
      outcome: 'failed',
      statusCode: 302,
      detail: `POST ${target.base}/redirect: HTTP 302 Found: redirect to ${target.base}/redirected not followed (the plan names the final URL)`,
    });
    expect(target.seen.map((s) => s.url)).toEqual(['/redirect']);
  });

  it('stops when the signal aborts, throwing its reason, and heartbeats while waiting', async () => {
    const controller = new AbortController();
    const ctx = context({ signal: controller.signal });
    const reason = new Error('activity cancelled');
    const run = http.execute({ executor: 'http', url: `${target.base}/hang-abort`, timeoutMs: 60_000 }, ctx).catch((e: unknown) => e);
    await waitFor(() => target.seen.some((s) => s.url === '/hang-abort'));
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const started = Date.now();
    controller.abort(reason);
    await expect(run).resolves.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(ctx.beats.length).toBeGreaterThanOrEqual(2); // one on start, one per second in flight
    await waitFor(() => target.closed.includes('/hang-abort'));
  });

  it('keeps a short detail without the response body, however large the body', async () => {
    const result = await http.execute({ executor: 'http', url: `${target.base}/big`, method: 'GET' }, context());
    expect(result).toMatchObject({ outcome: 'succeeded', detail: `GET ${target.base}/big: HTTP 200 OK (text/plain)` });
    expect(result.detail.length).toBeLessThanOrEqual(MAX_STEP_DETAIL_CHARS);
  });

  it('refuses a credential the worker does not hold, or one not bound to the origin, before sending anything', async () => {
    const { http: withCredential } = await executorWith(['127.0.0.1:*'], { 'deploy-bot': { headers: { Authorization: 'Bearer target-token' }, origins: ['https://deploy.example.com'] } });
    await expect(withCredential.execute({ executor: 'http', url: `${target.base}/ok`, credential: 'release-bot' }, context())).rejects.toMatchObject({
      code: 'invalid',
      message: 'http executor: credential "release-bot" is not configured on this worker (EXECUTOR_CREDENTIALS)',
    });
    await expect(withCredential.execute({ executor: 'http', url: `${target.base}/ok`, credential: 'deploy-bot' }, context())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(`credential "deploy-bot" may not be sent to ${target.base}`),
    });
    expect(target.seen).toHaveLength(0);
  });

  it('refuses a plan that carries a credential itself, naming the header', async () => {
    await expect(http.execute({ executor: 'http', url: `${target.base}/ok`, headers: { Authorization: 'Bearer target-token' } }, context())).rejects.toMatchObject({
      code: 'invalid',
      details: { field: 'headers.Authorization' },
    });
    expect(target.seen).toHaveLength(0);
  });

  it('reports an unreachable target as failed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(http.execute({ executor: 'http', url: `http://127.0.0.1:${port}/ok` }, context())).resolves.toMatchObject({
      outcome: 'failed',
      detail: expect.stringMatching(/request failed: ECONNREFUSED/),
    });
  });

  it('is found by the registry for http calls', async () => {
    const { registry } = await executorWith(['127.0.0.1:*']);
    const result = await registry.forCall({ executor: 'http', url: `${target.base}/ok` }).execute({ executor: 'http', url: `${target.base}/ok` }, context());
    expect(result.outcome).toBe('succeeded');
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
