import { PEOPLE, startIdentityWorld, type IdentityWorld } from './support/identity-world';

/**
 * Object-level reads and writes by callers the route admits: an API key restricted to CIs
 * reaches only changes within them, service accounts read no incident, problem or audit entry,
 * and audit entries are for the audit readers the policy names (apps/api/src/access-policy.ts).
 */
describe('API1:2023 Broken Object Level Authorization', () => {
  let world: IdentityWorld;

  beforeAll(async () => {
    world = await startIdentityWorld('api1', { worker: true });
  });

  afterAll(async () => {
    await world?.close();
  });

  it('an API key restricted to svc-a reads, follows and gates none of svc-b’s changes, each refusal on record', async () => {
    const { key, keyId } = await world.apiKey('svc-a-reader', ['change:read', 'gate:read'], ['svc-a']);
    const mine = await world.submit(PEOPLE.requester, ['svc-a']);
    const theirs = await world.submit(PEOPLE.requester, ['svc-b']);
    const both = await world.submit(PEOPLE.requester, ['svc-a', 'svc-b']);

    expect((await world.call('GET', `/api/changes/${mine}`, key)).status).toBe(200);
    expect((await world.call('GET', `/api/changes/${mine}/gate?ci=svc-a`, key)).body).toMatchObject({ allowed: false, changeId: mine });
    for (const id of [theirs, both]) {
      for (const path of [`/api/changes/${id}`, `/api/changes/${id}/timeline`, `/api/changes/${id}/live`, `/api/changes/${id}/events`]) {
        const answer = await world.call('GET', path, key);
        expect([path, answer.status]).toEqual([path, 403]);
        expect(answer.body.message).toMatch(/^API key restricted to CIs svc-a: CHG-\d+ touches (svc-a, )?svc-b$/);
      }
    }
    expect((await world.call('GET', `/api/changes/${mine}/gate?ci=svc-b`, key)).status).toBe(403);
    const listed = (await world.call('GET', '/api/changes?limit=100', key)).body.items.map((c: { id: string }) => c.id);
    expect(listed).toContain(mine);
    expect(listed).not.toContain(theirs);
    expect(listed).not.toContain(both);
    const refusals = await world.audit('api_key.refused', keyId);
    expect(refusals).toHaveLength(9);
    expect(refusals.every((e) => e.actor === 'service:svc-a-reader')).toBe(true);
    for (const id of [mine, theirs, both]) await world.call('POST', `/api/changes/${id}/cancel`, PEOPLE.manager, { reason: 'test done' });
  });

  it('a step:complete key cannot complete a manual step of a change outside its CIs; nothing executes', async () => {
    const { key, keyId } = await world.apiKey('svc-a-implementer', ['step:complete'], ['svc-a']);
    const theirs = await world.submit(PEOPLE.requester, ['svc-b']);
    const waiting = await world.reach(theirs, (c) => c.state === 'awaiting_approval');
    expect((await world.call('POST', `/api/changes/${theirs}/decisions`, PEOPLE.owner, { decision: 'approve', comment: 'ok', planHash: waiting.planHash })).status).toBe(200);
    await world.reach(theirs, (c) => c.steps.some((s: { id: string; state: string }) => s.id === 'confirm' && s.state === 'waiting'));
    const answer = await world.call('POST', `/api/changes/${theirs}/steps/confirm/complete`, key, { outcome: 'succeeded', notes: 'not mine' });
    expect(answer.status).toBe(403);
    expect((await world.audit('api_key.refused', keyId)).map((e) => e.data.route)).toEqual(['POST /api/changes/:id/steps/:stepId/complete']);
    expect((await world.view(theirs)).steps.find((s: { id: string }) => s.id === 'confirm').state).toBe('waiting');
    expect(world.target.count()).toBe(0);
    await world.call('POST', `/api/changes/${theirs}/cancel`, PEOPLE.manager, { reason: 'test done' });
  });

  it('service accounts read no incident, problem, CI or audit entry; people without an audit role read no audit entry', async () => {
    const { key, keyId } = await world.apiKey('nosy-pipeline', ['change:submit', 'change:read', 'gate:read', 'step:complete']);
    for (const path of ['/api/incidents', '/api/problems', '/api/cis', '/api/audit', '/api/audit/verify', '/api/service-accounts']) {
      const answer = await world.call('GET', path, key);
      expect([path, answer.status]).toEqual([path, 403]);
      expect(answer.body.message).toBe(`GET ${path} is closed to API keys`);
    }
    expect(await world.audit('api_key.refused', keyId)).toHaveLength(6);
    for (const person of [PEOPLE.requester, PEOPLE.engineer, PEOPLE.owner]) {
      expect((await world.call('GET', '/api/audit', person)).status).toBe(403);
    }
    expect((await world.call('GET', '/api/audit', PEOPLE.auditor)).status).toBe(200);
  });

  it('the monitoring identity (Alertmanager’s token) posts alerts and reads nothing', async () => {
    const monitoring = { id: 'alertmanager', name: 'Alertmanager', roles: ['monitoring' as const], groups: [] };
    for (const path of ['/api/changes', '/api/incidents', '/api/problems', '/api/audit']) {
      expect([path, (await world.call('GET', path, monitoring)).status]).toEqual([path, 403]);
    }
  });
});
