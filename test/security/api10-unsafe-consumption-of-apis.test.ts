import { MAX_STEP_DETAIL_CHARS } from '../../activities/change/executors';
import { startCountingTarget, type CountingTarget } from './support/counting-target';
import { httpExecutor, stepContext, targetsOnOnePort } from './support/executor-context';
import { startScriptedTarget, type ScriptedTarget } from './support/scripted-target';

const JWT_LIKE = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXBsb3ktYm90In0.Zq4vN8pL2xR7tK9sW3yH6bM1dF5cJ0gE';
const SECRETS = ['hunter2-prod', JWT_LIKE, 'Zq4vN8pL2xR7tK9sW3yH6bM1dF5cJ0gE', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'aws-key-in-status'];

/**
 * A deployment target is a third party's API: it may answer with a body of gigabytes, drip
 * one byte at a time, redirect inward, or echo secrets (its own or the request's). What the
 * executor takes from it is the status; the body is never read, and what lands in a step's
 * detail (change_step.detail, the timeline, the audit log, the workflow history) is short and
 * redacted.
 */
describe('API10:2023 Unsafe Consumption of APIs', () => {
  let target: ScriptedTarget;
  let counting: CountingTarget;

  beforeAll(async () => {
    counting = await startCountingTarget();
    target = await startScriptedTarget('127.0.0.2', (req, res) => {
      switch (req.url) {
        case '/huge': {
          // An endless body: the executor must neither buffer it nor wait for its end.
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          const chunk = Buffer.alloc(64 * 1024, 0x41);
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
          return;
        }
        case '/slow': {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write('.')), 200);
          res.on('close', () => clearInterval(drip));
          return;
        }
        case '/leaky':
          res.writeHead(500, 'token=aws-key-in-status', { 'content-type': 'application/json; charset=utf-8', 'x-debug': `Bearer ${JWT_LIKE}` });
          res.end(JSON.stringify({ error: 'deploy failed', password: 'hunter2-prod', token: JWT_LIKE, echo: 'Authorization: Bearer Zq4vN8pL2xR7tK9sW3yH6bM1dF5cJ0gE', gh: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' }));
          return;
        case '/leaky-ok':
          res.writeHead(200, { 'content-type': `text/plain; token=${JWT_LIKE}` }).end(`deployed; password=hunter2-prod`);
          return;
        default:
          res.writeHead(404).end();
      }
    });
  });

  afterAll(async () => {
    await target?.close();
    await counting?.close();
  });

  const executor = () => httpExecutor({ allowed: ['127.0.0.2:*'] });

  it('takes the status of a target answering an endless body without reading it', async () => {
    const started = Date.now();
    const result = await executor().execute({ executor: 'http', url: `${target.base}/huge`, method: 'GET', timeoutMs: 20_000 }, stepContext());
    expect(result).toMatchObject({ outcome: 'succeeded', statusCode: 200, detail: `GET ${target.base}/huge: HTTP 200 OK (application/octet-stream)` });
    expect(Date.now() - started).toBeLessThan(10_000);
    // The executor hung up mid-body: the target never finished writing.
    await waitFor(() => target.abandoned.includes('/huge'));
  });

  it('does not wait for a body dripping one byte at a time', async () => {
    const result = await executor().execute({ executor: 'http', url: `${target.base}/slow`, method: 'GET', timeoutMs: 30_000 }, stepContext());
    expect(result).toMatchObject({ outcome: 'succeeded', statusCode: 200 });
    // Far below the 30 s the step allowed: the drip never held it.
    expect(result.durationMs).toBeLessThan(5_000);
    await waitFor(() => target.abandoned.includes('/slow'));
  });

  it('keeps no secret a target answers out of a failed step detail: body, reason phrase, headers', async () => {
    const result = await executor().execute({ executor: 'http', url: `${target.base}/leaky` }, stepContext());
    expect(result).toMatchObject({ outcome: 'failed', statusCode: 500 });
    expect(result.detail).toBe(`POST ${target.base}/leaky: HTTP 500 Internal Server Error (application/json)`);
    for (const secret of SECRETS) expect(result.detail).not.toContain(secret);
  });

  it('keeps no secret a target answers out of a successful step detail either', async () => {
    const result = await executor().execute({ executor: 'http', url: `${target.base}/leaky-ok` }, stepContext());
    expect(result).toMatchObject({ outcome: 'succeeded', statusCode: 200, detail: `POST ${target.base}/leaky-ok: HTTP 200 OK (text/plain)` });
    for (const secret of SECRETS) expect(result.detail).not.toContain(secret);
    expect(result.detail.length).toBeLessThanOrEqual(MAX_STEP_DETAIL_CHARS);
  });

  it('does not follow a redirect to loopback, and drops the token in its query from the detail', async () => {
    const { legit, loopback, port } = await targetsOnOnePort((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${legit.port}/admin/export?token=${JWT_LIKE}` }).end());
    try {
      const result = await httpExecutor({ allowed: [`127.0.0.2:${port}`] }).execute({ executor: 'http', url: `${legit.base}/deploy` }, stepContext());
      expect(result).toMatchObject({ outcome: 'failed', statusCode: 302 });
      expect(result.detail).toBe(`POST ${legit.base}/deploy: HTTP 302 Found: redirect to http://127.0.0.1:${port}/admin/export not followed (the plan names the final URL)`);
      expect(result.detail).not.toContain(JWT_LIKE);
      expect(loopback.count()).toBe(0);
      expect(counting.count()).toBe(0);
    } finally {
      await legit.close();
      await loopback.close();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
