import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeLoopbackPort } from '@steward/persistence';

const ROOT = resolve(__dirname, '../..');


interface Launched {
  process: ChildProcess;
  base: string;
  tokens: Record<string, string>;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `npm start` as the README gives it, minus the build it runs first (done once in beforeAll):
 * the launcher with the embedded Temporal dev server and the embedded PostgreSQL, in a process
 * group of its own as a terminal would start it, so that a signal to the group is a Ctrl-C.
 */
async function launch(dataDir: string, ports: { http: number; temporal: number; ui: number }): Promise<Launched> {
  let text = '';
  const child = spawn(process.execPath, ['dist/scripts/start-embedded.js'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(ports.http), TEMPORAL_DEV_PORT: String(ports.temporal), TEMPORAL_DEV_UI_PORT: String(ports.ui), LOG_FORMAT: 'json', LOG_LEVEL: 'warn' },
  });
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const deadline = Date.now() + 240_000;
  while (!/Ctrl-C stops everything/.test(text)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the launcher did not come up:\n${text.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const tokens: Record<string, string> = {};
  for (const match of text.matchAll(/^\s{2}(\w+)\s+\S+\s+(eyJ[\w.-]+)$/gm)) tokens[match[1]] = match[2];
  return { process: child, base: `http://127.0.0.1:${ports.http}`, tokens, output: () => text, exited };
}

async function call(base: string, token: string, method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) };
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

describe('the README way: npm start on the embedded servers', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-readme-way-'));
  let ports: { http: number; temporal: number; ui: number };
  let running: Launched | undefined;

  beforeAll(() => {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 600_000 });
  }, 600_000);

  afterAll(async () => {
    if (running && running.process.exitCode === null) {
      process.kill(-running.process.pid!, 'SIGINT');
      await running.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const created: { incidents: string[]; changes: string[]; problems: string[] } = { incidents: [], changes: [], problems: [] };

  it('answers 50 concurrent mixed requests correctly: no 500, no 404 for what exists, no duplicate', async () => {
    ports = { http: await freeLoopbackPort(), temporal: await freeLoopbackPort(), ui: await freeLoopbackPort() };
    running = await launch(dataDir, ports);
    const { base, tokens } = running;
    expect(Object.keys(tokens)).toEqual(expect.arrayContaining(['requester', 'serviceDesk', 'admin', 'problemManager', 'changeManager', 'auditor']));
    const stamp = Date.now();
    const incident = (n: number) => ({ title: `Checkout slow ${n}`, description: 'p95 doubled', service: 'svc-payments', impact: 3, urgency: 3 });
    const requests: Array<() => Promise<{ kind: string; key?: string; status: number; body: any }>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let n = 0; n < 12; n++) {
      // Every third incident is sent twice with the same key: the copies must name one incident.
      const key = n % 3 === 0 ? `inc-${stamp}-${n}` : undefined;
      const copies = key ? 2 : 1;
      for (let c = 0; c < copies; c++) requests.push(async () => ({ kind: 'incident', key, ...(await call(base, tokens.serviceDesk, 'POST', '/api/incidents', incident(n), key)) }));
    }
    for (let n = 0; n < 6; n++) {
      const key = n % 2 === 0 ? `chg-${stamp}-${n}` : undefined;
      const body = { title: `Upgrade payments-api ${n}`, description: 'd', type: 'normal', cis: ['app-payments-api'], justification: 'j', backoutPlan: 'redeploy', testEvidence: 'green',
        plan: { steps: [{ id: 'deploy', name: 'Deploy', kind: 'automated', action: { executor: 'simulated', outcome: 'succeed', durationMs: 10 }, rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 10 }, estimatedMinutes: 5 }] } };
      requests.push(async () => ({ kind: 'change', key, ...(await call(base, tokens.requester, 'POST', '/api/changes', body, key)) }));
    }
    for (let n = 0; n < 4; n++) requests.push(async () => ({ kind: 'problem', ...(await call(base, tokens.problemManager, 'POST', '/api/problems', { title: `Pool exhaustion ${n}`, description: 'suspected' }, `prb-${stamp}-${n}`)) }));
    for (let n = 0; n < 4; n++) requests.push(async () => ({ kind: 'ci', ...(await call(base, tokens.admin, 'POST', '/api/cis', { key: `app-concurrent-${stamp}-${n}`, name: 'Concurrent', type: 'application', environment: 'staging', criticality: 3, ownerGroup: 'platform' })) }));
    requests.push(async () => ({ kind: 'freeze', ...(await call(base, tokens.changeManager, 'POST', '/api/freezes', { name: 'Concurrent freeze', start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z', reason: 'test', scope: { cis: ['app-payments-api'] } })) }));
    requests.push(async () => ({ kind: 'knowledge', ...(await call(base, tokens.problemManager, 'POST', '/api/knowledge', { title: 'Restart the pool', body: 'When the pool is exhausted, restart it.' })) }));
    while (requests.length < 50) requests.push(async () => ({ kind: 'read', ...(await call(base, tokens.auditor, 'GET', requests.length % 2 ? '/api/changes' : '/api/incidents')) }));

    const answers = await Promise.all(requests.map((r) => r()));
    expect(answers.filter((a) => a.status >= 500 || a.status === 404)).toEqual([]);
    const wrongStatus = answers.filter((a) => !(a.kind === 'read' ? a.status === 200 : a.status === 201 || (a.key !== undefined && a.status === 409)));
    expect(wrongStatus).toEqual([]);

    // Same key, same incident; every created incident, change and problem is there when asked.
    const incidents = answers.filter((a) => a.kind === 'incident' && a.status === 201);
    const byKey = new Map<string, Set<string>>();
    for (const a of incidents.filter((i) => i.key)) byKey.set(a.key!, (byKey.get(a.key!) ?? new Set()).add(a.body.id));
    for (const [key, ids] of byKey) expect([key, ids.size]).toEqual([key, 1]);
    created.incidents = [...new Set(incidents.map((a) => a.body.id as string))];
    created.changes = answers.filter((a) => a.kind === 'change' && a.status === 201).map((a) => a.body.id);
    created.problems = answers.filter((a) => a.kind === 'problem').map((a) => a.body.id);
    for (const id of created.incidents) expect((await call(base, tokens.auditor, 'GET', `/api/incidents/${id}`)).status).toBe(200);
    for (const id of created.changes) expect((await call(base, tokens.auditor, 'GET', `/api/changes/${id}`)).status).toBe(200);
    for (const id of created.problems) expect((await call(base, tokens.auditor, 'GET', `/api/problems/${id}`)).status).toBe(200);
    const listed = await call(base, tokens.auditor, 'GET', '/api/incidents?limit=100');
    const titles = (listed.body.items ?? listed.body).map((i: { title: string }) => i.title);
    // Twelve distinct incidents: four keys sent twice created one each.
    expect(titles.filter((t: string) => t.startsWith('Checkout slow ')).length).toBe(12);
  }, 420_000);

  it('serves the console at the URL its banner prints first, with the demo sign-in of the embedded default', async () => {
    const { base, output } = running!;
    expect(output()).toMatch(new RegExp(`Steward is running\\.\\n  Console       ${base}/\\n`));
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root"><\/div>/);
    const users = await fetch(`${base}/api/demo/users`);
    expect(users.status).toBe(200);
    const bob = ((await users.json()) as Array<{ id: string }>).find((u) => u.id === 'bob');
    expect(bob).toBeDefined();
    const minted = (await (await fetch(`${base}/api/demo/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'bob' }) })).json()) as { token: string };
    expect((await call(base, minted.token, 'GET', '/api/me')).body).toMatchObject({ id: 'bob', roles: ['cab_member'] });
  });

  it('stops within 30 s on Ctrl-C with work in flight, and a restart finds everything as it was', async () => {
    const { base, tokens } = running!;
    // Work in flight: more requests still being answered when the signal comes.
    const inFlight = Array.from({ length: 5 }, (_, n) => call(base, tokens.serviceDesk, 'POST', '/api/incidents', { title: `In flight ${n}`, description: 'x', service: 'svc-payments', impact: 3, urgency: 3 }, `flight-${n}`).catch(() => null));
    const signalled = Date.now();
    process.kill(-running!.process.pid!, 'SIGINT');
    const code = await running!.exited;
    expect(Date.now() - signalled).toBeLessThan(30_000);
    expect(code).toBe(0);
    await Promise.all(inFlight);

    running = await launch(dataDir, ports);
    const again = running;
    for (const id of created.incidents) {
      const view = await call(again.base, again.tokens.auditor, 'GET', `/api/incidents/${id}`);
      expect([id, view.status, view.body.state]).toEqual([id, 200, 'new']);
    }
    for (const id of created.changes) {
      const view = await call(again.base, again.tokens.auditor, 'GET', `/api/changes/${id}`);
      expect([id, view.status]).toEqual([id, 200]);
      expect(view.body.state).not.toBe('failed');
    }
    // The workflows run on: an incident can still be acknowledged after the restart.
    const ack = await call(again.base, again.tokens.resolver, 'POST', `/api/incidents/${created.incidents[0]}/acknowledge`);
    expect(ack.status).toBe(200);
  }, 420_000);

  it('stops at once on a second Ctrl-C, and a restart still finds everything', async () => {
    const { base, tokens } = running!;
    const opened = await call(base, tokens.serviceDesk, 'POST', '/api/incidents', { title: 'Before the double Ctrl-C', description: 'x', service: 'svc-payments', impact: 3, urgency: 3 });
    expect(opened.status).toBe(201);
    const signalled = Date.now();
    process.kill(-running!.process.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    process.kill(-running!.process.pid!, 'SIGINT');
    const code = await running!.exited;
    expect(code).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(running!.output()).toMatch(/stopping at once/);

    // The servers were stopped immediately (PostgreSQL recovers from its WAL, Temporal's SQLite is durable).
    running = await launch(dataDir, ports);
    const again = running;
    for (const id of [...created.incidents, opened.body.id as string]) {
      const view = await call(again.base, again.tokens.auditor, 'GET', `/api/incidents/${id}`);
      expect([id, view.status]).toEqual([id, 200]);
    }
    const update = await call(again.base, again.tokens.resolver, 'POST', `/api/incidents/${opened.body.id}/acknowledge`);
    expect(update.status).toBe(200);
  }, 420_000);
});
