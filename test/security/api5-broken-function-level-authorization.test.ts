import type { NestExpressApplication } from '@nestjs/platform-express';
import { API_KEY_SCOPES, ROLES, type Principal } from '@steward/identity';
import type { AddressInfo } from 'node:net';
import { ACCESS_POLICY } from '../../apps/api/src/access-policy';
import { TEST_CHANGE_PROCESS, eventually, startApi, tokenFor } from '../support/harness';
import { PEOPLE, confirmThenDeploy, startIdentityWorld, type IdentityWorld } from './support/identity-world';

/** A nonexistent object for each path parameter: an admitted caller gets 400 or 404, never a side effect. */
function concretePath(path: string): string {
  const id = path.startsWith('/api/changes') ? 'CHG-999999' : path.startsWith('/api/incidents') ? 'INC-999999' : path.startsWith('/api/problems') ? 'PRB-999999' : 'nonexistent-0';
  const values: Record<string, string> = { id, stepId: 'nostep', key: 'no-such-ci', keyId: 'nokey', actionId: '999999', scope: 'no-such-scope', priority: 'P9' };
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => values[name] ?? 'nonexistent-0');
}

/** The status only: an event stream that opened is cancelled at once. */
async function statusOf(base: string, method: string, path: string, credential: string | null): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (credential) headers.authorization = `Bearer ${credential}`;
  const response = await fetch(`${base}${path}`, { method, headers, body: ['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined });
  await response.body?.cancel().catch(() => undefined);
  return response.status;
}

describe('API5:2023 Broken Function Level Authorization', () => {
  let world: IdentityWorld;
  let anyApi: NestExpressApplication;
  let anyBase: string;

  beforeAll(async () => {
    world = await startIdentityWorld('api5', { worker: true });
    // A second API instance configured SOD_IMPLEMENTER=any on the same database and task queue:
    // each change follows the setting recorded at its submission, whichever instance serves it.
    anyApi = await startApi(world.database.url, world.taskQueue, TEST_CHANGE_PROCESS, undefined, { sodImplementer: 'any' });
    anyBase = `http://127.0.0.1:${(anyApi.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await anyApi?.close();
    await world?.close();
  });

  it('every route of the OpenAPI document answers every role and every API-key scope as the written policy says', async () => {
    const document = (await (await fetch(`${world.base}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })));
    expect(routes.length).toBeGreaterThan(60);
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((key) => !ACCESS_POLICY[key]);
    expect(missing).toEqual([]);

    const callers: Array<{ label: string; credential: string | null; allowed: (key: string) => boolean }> = [];
    callers.push({ label: 'no credential', credential: null, allowed: (key) => ACCESS_POLICY[key].roles === 'public' });
    for (const role of ROLES) {
      const person: Principal = { id: `walker-${role}`, name: role, roles: [role], groups: [] };
      const roles = (key: string) => ACCESS_POLICY[key].roles;
      callers.push({ label: `role ${role}`, credential: await tokenFor(person), allowed: (key) => { const r = roles(key); return typeof r === 'string' || r.includes(role); } });
    }
    for (const scope of API_KEY_SCOPES) {
      const { key } = await world.apiKey(`walker-${scope.replace(':', '-')}`, [scope]);
      callers.push({ label: `API key ${scope}`, credential: key, allowed: (k) => ACCESS_POLICY[k].roles === 'public' || (ACCESS_POLICY[k].scopes ?? []).includes(scope) });
    }

    const mismatches: string[] = [];
    const jobs = routes.flatMap((route) => callers.map((caller) => ({ route, caller })));
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        const key = `${job.route.method} ${job.route.path}`;
        const status = await statusOf(world.base, job.route.method, concretePath(job.route.path), job.caller.credential);
        const allowed = job.caller.allowed(key);
        const refused = status === 401 || status === 403;
        const expected = allowed ? !refused : job.caller.credential === null ? status === 401 : status === 403;
        if (!expected || status >= 500) mismatches.push(`${key} as ${job.caller.label}: ${status} (policy: ${allowed ? 'allowed' : 'refused'})`);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(mismatches).toEqual([]);
  });

  it('the demo sign-in routes exist only under the embedded launcher, are in the written policy, and answer as it says', async () => {
    const demo = await startApi(world.database.url, world.taskQueue, TEST_CHANGE_PROCESS, undefined, { demoSignIn: true });
    try {
      const base = `http://127.0.0.1:${(demo.getHttpServer().address() as AddressInfo).port}`;
      const document = (await (await fetch(`${base}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const keys = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
      expect(keys.filter((key) => !ACCESS_POLICY[key])).toEqual([]);
      expect(keys.filter((key) => key.includes(' /api/demo/')).sort()).toEqual(['GET /api/demo/users', 'POST /api/demo/tokens']);
      // Open without a credential, as the policy says: the body is checked, nothing is refused for identity.
      expect(await statusOf(base, 'GET', '/api/demo/users', null)).toBe(200);
      expect(await statusOf(base, 'POST', '/api/demo/tokens', null)).toBe(400);
      // Any other API has no such route, for anyone.
      expect(await statusOf(world.base, 'GET', '/api/demo/users', null)).toBe(404);
      expect(await statusOf(world.base, 'POST', '/api/demo/tokens', await tokenFor(PEOPLE.admin))).toBe(404);
    } finally {
      await demo.close();
    }
  });

  it('an API key cannot vote, whatever its scopes: 403 naming the rule, on record, nothing executed', async () => {
    const { key, keyId } = await world.apiKey('voting-pipeline', [...API_KEY_SCOPES]);
    const id = await world.submit(PEOPLE.requester);
    const waiting = await world.reach(id, (c) => c.state === 'awaiting_approval');
    const voted = await world.call('POST', `/api/changes/${id}/decisions`, key, { decision: 'approve', comment: 'ship it', planHash: waiting.planHash });
    expect(voted.status).toBe(403);
    expect(voted.body.message).toBe('approvers are people: service accounts cannot vote');
    expect((await world.audit('api_key.refused', keyId)).map((e) => e.data)).toEqual([
      { route: 'POST /api/changes/:id/decisions', reason: 'approvers are people: service accounts cannot vote' },
    ]);
    expect((await world.view(id)).approvals).toEqual([]);
    expect(world.target.count()).toBe(0);
    await world.call('POST', `/api/changes/${id}/cancel`, PEOPLE.manager, { reason: 'test done' });
  });

  it('the requester cannot approve their own change, and an admin requester is not exempt', async () => {
    for (const requester of [PEOPLE.requester, PEOPLE.admin]) {
      const id = await world.submit(requester);
      const waiting = await world.reach(id, (c) => c.state === 'awaiting_approval');
      const answer = await world.call('POST', `/api/changes/${id}/decisions`, requester, { decision: 'approve', comment: 'mine', planHash: waiting.planHash });
      expect(answer.status).toBe(403);
      expect(answer.body.message).toBe('requester cannot approve own change');
      expect((await world.audit('change.decision_refused', id)).map((e) => [e.actor, e.data.reason])).toEqual([[requester.id, 'requester cannot approve own change']]);
      expect((await world.view(id)).approvals).toEqual([]);
      await world.call('POST', `/api/changes/${id}/cancel`, PEOPLE.manager, { reason: 'test done' });
    }
    expect(world.target.count()).toBe(0);
  });

  it('a decision names its plan hash: 400 without it, 409 for a plan that has changed since', async () => {
    const id = await world.submit(PEOPLE.requester);
    const waiting = await world.reach(id, (c) => c.state === 'awaiting_approval');
    const without = await world.call('POST', `/api/changes/${id}/decisions`, PEOPLE.owner, { decision: 'approve', comment: 'ok' });
    expect(without.status).toBe(400);
    expect(without.body.message).toMatch(/planHash/);
    const stale = await world.call('POST', `/api/changes/${id}/decisions`, PEOPLE.owner, { decision: 'approve', comment: 'ok', planHash: 'a'.repeat(64) });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/^decision is for plan aaaaaaaaaaaa but the current plan is /);
    expect((await world.view(id)).planHash).toBe(waiting.planHash);
    expect((await world.view(id)).approvals).toEqual([]);
    await world.call('POST', `/api/changes/${id}/cancel`, PEOPLE.manager, { reason: 'test done' });
  });

  it('the author of a plan revision cannot approve it; the requester cannot complete its manual step (distinct, recorded on the change); nothing runs until someone else does', async () => {
    const id = await world.submit(PEOPLE.requester);
    const first = await world.reach(id, (c) => c.state === 'awaiting_approval');
    expect((await world.call('PUT', `/api/changes/${id}/plan`, PEOPLE.manager, { plan: confirmThenDeploy(world.target, 6) })).status).toBe(200);
    // Re-assessed (a second `assessed` entry), then awaiting approval again under the new hash.
    await eventually(async () => (await world.call('GET', `/api/changes/${id}/timeline`, PEOPLE.manager)).body, (t: Array<{ type: string }>) => t.filter((e) => e.type === 'assessed').length >= 2, 30_000);
    const revised = await world.reach(id, (c) => c.state === 'awaiting_approval' && c.planHash !== first.planHash);
    expect(revised.sodImplementer).toBe('distinct');

    const byAuthor = await world.call('POST', `/api/changes/${id}/decisions`, PEOPLE.manager, { decision: 'approve', comment: 'my plan is fine', planHash: revised.planHash });
    expect(byAuthor.status).toBe(403);
    expect(byAuthor.body.message).toBe('the author of a plan revision cannot approve it');
    expect((await world.audit('change.decision_refused', id)).map((e) => [e.actor, e.data.reason])).toEqual([['dave', 'the author of a plan revision cannot approve it']]);

    expect((await world.call('POST', `/api/changes/${id}/decisions`, PEOPLE.owner, { decision: 'approve', comment: 'ok', planHash: revised.planHash })).status).toBe(200);
    await world.reach(id, (c) => c.steps.some((s: { id: string; state: string }) => s.id === 'confirm' && s.state === 'waiting'));

    const rule = 'segregation of duties (SOD_IMPLEMENTER=distinct): the requester cannot complete manual steps of their own change';
    const bySelf = await world.call('POST', `/api/changes/${id}/steps/confirm/complete`, PEOPLE.requester, { outcome: 'succeeded', notes: 'done it myself' });
    expect(bySelf.status).toBe(403);
    expect(bySelf.body.message).toBe(rule);
    // Through an instance configured `any`, the change still follows the setting it recorded.
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(PEOPLE.requester)}` };
    const elsewhere = await fetch(`${anyBase}/api/changes/${id}/steps/confirm/complete`, { method: 'POST', headers, body: JSON.stringify({ outcome: 'succeeded', notes: 'again' }) });
    expect(elsewhere.status).toBe(403);
    expect((await world.audit('change.sod_refused', id)).map((e) => [e.actor, e.data.rule])).toEqual([
      ['alice', 'requesterCompletesStep'],
      ['alice', 'requesterCompletesStep'],
    ]);
    expect((await world.view(id)).steps.find((s: { id: string }) => s.id === 'confirm').state).toBe('waiting');
    expect(world.target.count('/deploy')).toBe(0);

    // Someone else confirms: only now does the deployment reach the target (so 0 above meant something).
    expect((await world.call('POST', `/api/changes/${id}/steps/confirm/complete`, PEOPLE.engineer, { outcome: 'succeeded', notes: 'banner up' })).status).toBe(200);
    await world.reach(id, (c) => c.state === 'completed');
    expect(world.target.count('/deploy')).toBe(1);
  });

  it('a change submitted under SOD_IMPLEMENTER=any lets its requester complete the manual step, wherever the call lands', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(PEOPLE.requester)}` };
    const before = world.target.count('/deploy');
    const submitted = await fetch(`${anyBase}/api/changes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        title: 'Small team change', description: 'd', type: 'normal', cis: ['svc-a'], justification: 'j', backoutPlan: 'b', testEvidence: 'green',
        plan: confirmThenDeploy(world.target),
      }),
    });
    expect(submitted.status).toBe(201);
    const { id } = (await submitted.json()) as { id: string };
    const waiting = await world.reach(id, (c) => c.state === 'awaiting_approval');
    expect(waiting.sodImplementer).toBe('any');
    expect((await world.call('POST', `/api/changes/${id}/decisions`, PEOPLE.owner, { decision: 'approve', comment: 'ok', planHash: waiting.planHash })).status).toBe(200);
    await world.reach(id, (c) => c.steps.some((s: { id: string; state: string }) => s.id === 'confirm' && s.state === 'waiting'));
    // Completed by the requester through the `distinct` instance: the recorded setting decides.
    expect((await world.call('POST', `/api/changes/${id}/steps/confirm/complete`, PEOPLE.requester, { outcome: 'succeeded', notes: 'small team' })).status).toBe(200);
    await world.reach(id, (c) => c.state === 'completed');
    await eventually(async () => world.target.count('/deploy'), (n) => n === before + 1);
  });
});
