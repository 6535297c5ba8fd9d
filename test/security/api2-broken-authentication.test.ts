import { ApiKeyEntity } from '@steward/persistence';
import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier } from '@steward/identity';
import { SignJWT, decodeProtectedHeader } from 'jose';
import { TEST_JWT_SECRET, eventually } from '../support/harness';
import { PEOPLE, startIdentityWorld, type IdentityWorld } from './support/identity-world';
import { startOidcIssuer, type OidcTestIssuer } from './support/oidc-issuer';

const AUDIENCE = 'https://steward.test/api';

/**
 * Bearer tokens and API keys against the real API over HTTP. The OIDC half runs against a real
 * OpenID provider (the `oidc-provider` package) started on 127.0.0.1 by this file: tokens come
 * from its client-credentials grant, its keys from the jwks_uri its discovery document names.
 */
describe('API2:2023 Broken Authentication', () => {
  let issuer: OidcTestIssuer;
  let oidc: IdentityWorld;
  let world: IdentityWorld;

  beforeAll(async () => {
    issuer = await startOidcIssuer({
      audience: AUDIENCE,
      clients: [
        // Keycloak-style nesting: roles at realm_access.roles, read through OIDC_ROLES_CLAIM.
        { id: 'auditor-app', secret: 'auditor-app-secret-0123456789abcdef', claims: { name: 'Audit robot', realm_access: { roles: ['auditor', 'superuser'] }, groups: ['audit-team'] } },
        { id: 'no-roles-app', secret: 'no-roles-app-secret-0123456789abcdef', claims: { name: 'Nobody', roles: ['admin'] } },
        { id: 'short-lived', secret: 'short-lived-secret-0123456789abcdef', claims: { realm_access: { roles: ['auditor'] } }, ttl: 1 },
      ],
    });
    [oidc, world] = await Promise.all([
      startIdentityWorld('api2_oidc', { auth: { oidcIssuer: issuer.issuer, oidcAudience: AUDIENCE, rolesClaim: 'realm_access.roles', groupsClaim: 'groups', jwksCooldownMs: 0 } }),
      startIdentityWorld('api2_keys', { worker: true }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([oidc?.close(), world?.close()]);
    await issuer?.close();
  });

  describe('OIDC access tokens', () => {
    it('accepts a valid token, with roles and groups read from the configured claim paths', async () => {
      const token = await issuer.token('auditor-app');
      const me = await oidc.call('GET', '/api/me', token);
      expect(me.status).toBe(200);
      // `superuser` is no Steward role: unknown roles grant nothing.
      expect(me.body).toEqual({ id: 'auditor-app', name: 'Audit robot', roles: ['auditor'], groups: ['audit-team'] });
      expect((await oidc.call('GET', '/api/audit/verify', token)).status).toBe(200);
    });

    it('reads roles only from the configured path: a top-level roles claim grants nothing', async () => {
      const token = await issuer.token('no-roles-app');
      const me = await oidc.call('GET', '/api/me', token);
      expect(me).toMatchObject({ status: 200, body: { id: 'no-roles-app', roles: [] } });
      const refused = await oidc.call('GET', '/api/audit/verify', token);
      expect(refused.status).toBe(403);
    });

    it('follows a key rotation by kid, and refuses tokens of the retired key', async () => {
      const before = await issuer.token('auditor-app');
      expect((await oidc.call('GET', '/api/me', before)).status).toBe(200);
      const oldKid = issuer.kid;
      const newKid = await issuer.rotate();
      expect(newKid).not.toBe(oldKid);
      const after = await issuer.token('auditor-app');
      expect(decodeProtectedHeader(after).kid).toBe(newKid);
      expect((await oidc.call('GET', '/api/me', after)).status).toBe(200);
      const retired = await oidc.call('GET', '/api/me', before);
      expect(retired.status).toBe(401);
    });

    it('refuses an expired token', async () => {
      const token = await issuer.token('short-lived');
      const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number };
      // Wait for the clock to pass exp (an observable fact), then present the token.
      await eventually(async () => Date.now(), (now) => now > exp * 1000 + 1000, 10_000);
      const answer = await oidc.call('GET', '/api/me', token);
      expect(answer.status).toBe(401);
      expect(answer.body.message).toMatch(/exp/);
    });

    it('refuses a token issued for another audience', async () => {
      const token = await issuer.token('auditor-app', 'https://another-app.test/');
      expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).aud).toBe('https://another-app.test/');
      const answer = await oidc.call('GET', '/api/me', token);
      expect(answer.status).toBe(401);
      expect(answer.body.message).toMatch(/aud/);
    });

    it('refuses alg none, even with the claims of a valid token', async () => {
      const valid = await issuer.token('auditor-app');
      const [, payload] = valid.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: issuer.kid })).toString('base64url');
      const answer = await oidc.call('GET', '/api/me', `${header}.${payload}.`);
      expect(answer.status).toBe(401);
    });

    it('refuses HS/RS confusion: a token HS256-signed with the issuer’s public key bytes', async () => {
      const discovery = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
      const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Array<Record<string, string>> };
      const jwk = keys.find((k) => k.kid === issuer.kid)!;
      const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(jwk))]) {
        const forged = await new SignJWT({ name: 'Mallory', realm_access: { roles: ['admin'] } })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.kid })
          .setIssuer(issuer.issuer)
          .setAudience(AUDIENCE)
          .setSubject('mallory')
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new Uint8Array(secret));
        const answer = await oidc.call('GET', '/api/me', forged);
        expect(answer.status).toBe(401);
        expect(answer.body.message).toMatch(/HS256 is not accepted/);
      }
    });

    it('trusts no key set from a discovery document that names another issuer (issuer mix-up)', async () => {
      // A server at the configured address whose document points at the real provider's keys.
      const impostor = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: issuer.issuer, jwks_uri: `${issuer.issuer}/jwks` }));
      });
      await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
      try {
        const configured = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
        const verifier = new TokenVerifier({ oidcIssuer: configured, oidcAudience: AUDIENCE });
        const token = await issuer.token('auditor-app');
        await expect(verifier.verify(token)).rejects.toThrow(`discovery document names issuer ${issuer.issuer}, not ${configured}`);
      } finally {
        await new Promise<void>((resolve) => impostor.close(() => resolve()));
      }
    });

    it('refuses an HS256 token made with a shared secret the OIDC deployment does not have', async () => {
      const token = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET));
      expect((await oidc.call('GET', '/api/me', token)).status).toBe(401);
    });
  });

  describe('HS256 tokens (JWT_SECRET)', () => {
    it('refuses a correctly signed token without exp', async () => {
      const forever = await new SignJWT({ name: 'Grace', roles: ['admin'], groups: [] }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('grace').setIssuedAt().sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const answer = await world.call('GET', '/api/changes', forever);
      expect(answer.status).toBe(401);
      expect(answer.body.message).toMatch(/"exp" claim/);
    });

    it('refuses a token whose subject poses as a service account', async () => {
      const answer = await world.call('GET', '/api/me', { id: 'service:deployer', name: 'x', roles: ['release_engineer'], groups: [] });
      expect(answer.status).toBe(401);
    });
  });

  describe('API keys', () => {
    it('shows a key once, stores only its hash, and audits each use with the key id and route', async () => {
      const created = await world.call('POST', '/api/service-accounts', PEOPLE.admin, { name: 'reader-pipeline', scopes: ['change:read'] });
      expect(created.status).toBe(201);
      const key: string = created.body.key.key;
      expect(key).toMatch(/^stw_/);
      const listed = await world.call('GET', `/api/service-accounts/${created.body.id}`, PEOPLE.admin);
      expect(JSON.stringify(listed.body)).not.toContain(key);
      const stored = await world.database.db.getRepository(ApiKeyEntity).findOneByOrFail({ id: created.body.key.id });
      expect(stored.keyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(key.slice(21));

      expect((await world.call('GET', '/api/changes', key)).status).toBe(200);
      const uses = await world.audit('api_key.used', created.body.key.id);
      expect(uses.map((u) => u.data)).toEqual([{ route: 'GET /api/changes' }]);
      expect(uses[0].actor).toBe('service:reader-pipeline');
      const after = await world.call('GET', `/api/service-accounts/${created.body.id}`, PEOPLE.admin);
      expect(after.body.keys[0].lastUsedAt).not.toBeNull();
    });

    it('lets only admins create service accounts, and validates what they ask for', async () => {
      expect((await world.call('POST', '/api/service-accounts', PEOPLE.manager, { name: 'sneaky', scopes: ['change:submit'] })).status).toBe(403);
      const bad = await world.call('POST', '/api/service-accounts', PEOPLE.admin, { name: 'Bad Name', scopes: ['change:approve'], cis: ['no-such-ci'], expiresAt: '2020-01-01T00:00:00Z' });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/name must be/);
      expect(bad.body.message).toMatch(/scopes must be among change:submit, change:read, gate:read, step:complete/);
      const past = await world.call('POST', '/api/service-accounts', PEOPLE.admin, { name: 'late-pipeline', scopes: ['change:read'], expiresAt: '2020-01-01T00:00:00Z' });
      expect(past).toMatchObject({ status: 400, body: { message: 'expiresAt must be in the future' } });
      const unknownCi = await world.call('POST', '/api/service-accounts', PEOPLE.admin, { name: 'lost-pipeline', scopes: ['change:read'], cis: ['no-such-ci'] });
      expect(unknownCi).toMatchObject({ status: 400, body: { message: 'cis: unknown configuration items: no-such-ci' } });
      await world.apiKey('twin-pipeline', ['change:read']);
      expect((await world.call('POST', '/api/service-accounts', PEOPLE.admin, { name: 'twin-pipeline', scopes: ['change:read'] })).status).toBe(409);
    });

    it('refuses a revoked key from the next request on, and puts the attempt on record', async () => {
      const { key, keyId, accountId } = await world.apiKey('revoked-pipeline', ['change:read']);
      expect((await world.call('GET', '/api/changes', key)).status).toBe(200);
      expect((await world.call('DELETE', `/api/service-accounts/${accountId}/keys/${keyId}`, PEOPLE.admin)).status).toBe(200);
      const answer = await world.call('GET', '/api/changes', key);
      expect(answer.status).toBe(401);
      expect(answer.body.message).toBe(`API key ${keyId} was revoked`);
      expect((await world.audit('api_key.revoked', keyId)).map((e) => e.actor)).toEqual(['grace']);
      expect((await world.audit('api_key.refused', keyId)).map((e) => e.data)).toEqual([{ reason: `API key ${keyId} was revoked` }]);

      // The account's next key, revoked through POST …/revoke, goes the same way; the first stays revoked.
      const second = await world.call('POST', `/api/service-accounts/${accountId}/keys`, PEOPLE.admin, {});
      expect(second.status).toBe(201);
      expect((await world.call('GET', '/api/changes', second.body.key)).status).toBe(200);
      const revoked = await world.call('POST', `/api/service-accounts/${accountId}/keys/${second.body.id}/revoke`, PEOPLE.admin);
      expect(revoked).toMatchObject({ status: 200, body: { id: second.body.id, revokedBy: 'grace' } });
      expect((await world.call('GET', '/api/changes', second.body.key)).status).toBe(401);
      expect((await world.call('GET', '/api/changes', key)).status).toBe(401);
    });

    it('refuses an expired key', async () => {
      const { key, keyId } = await world.apiKey('expired-pipeline', ['change:read']);
      expect((await world.call('GET', '/api/changes', key)).status).toBe(200);
      // The API refuses an expiry in the past at creation; time passing is simulated in the row.
      await world.database.db.query(`UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [keyId]);
      const answer = await world.call('GET', '/api/changes', key);
      expect(answer.status).toBe(401);
      expect(answer.body.message).toBe(`API key ${keyId} has expired`);
      expect(await world.audit('api_key.refused', keyId)).toHaveLength(1);
    });

    it('refuses a key whose secret was altered, and a malformed one', async () => {
      const { key, keyId } = await world.apiKey('guessed-pipeline', ['change:read']);
      const altered = `${key.slice(0, -2)}${key.endsWith('AA') ? 'BB' : 'AA'}`;
      expect((await world.call('GET', '/api/changes', altered)).status).toBe(401);
      expect((await world.audit('api_key.refused', keyId)).map((e) => e.data)).toEqual([{ reason: 'wrong secret for a known key id' }]);
      expect((await world.call('GET', '/api/changes', 'stw_nope')).status).toBe(401);
    });

    it('a stolen key outside its scope: no submission, no step completion, nothing executed, each refusal on record', async () => {
      const { key, keyId } = await world.apiKey('gate-only', ['gate:read']);
      const submitted = await world.call('POST', '/api/changes', key, { title: 'x' });
      expect(submitted.status).toBe(403);
      expect(submitted.body.message).toBe('API key scope missing: POST /api/changes needs one of the scopes change:submit');

      const id = await world.submit(PEOPLE.requester);
      const waiting = await world.reach(id, (c) => c.state === 'awaiting_approval');
      expect((await world.call('POST', `/api/changes/${id}/decisions`, PEOPLE.owner, { decision: 'approve', comment: 'ok', planHash: waiting.planHash })).status).toBe(200);
      await world.reach(id, (c) => c.steps.some((s: { id: string; state: string }) => s.id === 'confirm' && s.state === 'waiting'));
      const completed = await world.call('POST', `/api/changes/${id}/steps/confirm/complete`, key, { outcome: 'succeeded', notes: 'stolen' });
      expect(completed.status).toBe(403);
      const voted = await world.call('POST', `/api/changes/${id}/decisions`, key, { decision: 'approve', comment: 'stolen', planHash: waiting.planHash });
      expect(voted.status).toBe(403);
      expect(voted.body.message).toBe('approvers are people: service accounts cannot vote');

      expect((await world.audit('api_key.refused', keyId)).map((e) => e.data.route)).toEqual([
        'POST /api/changes',
        'POST /api/changes/:id/steps/:stepId/complete',
        'POST /api/changes/:id/decisions',
      ]);
      expect((await world.view(id)).steps.find((s: { id: string }) => s.id === 'confirm').state).toBe('waiting');
      expect(world.target.count()).toBe(0);
      await world.call('POST', `/api/changes/${id}/cancel`, PEOPLE.manager, { reason: 'test done' });
    });

    it('a stolen key outside its CIs: refused for another CI’s change, on record, nothing executed', async () => {
      const { key, keyId } = await world.apiKey('svc-a-pipeline', ['change:submit', 'change:read', 'gate:read', 'step:complete'], ['svc-a']);
      const own = await world.submit(key, ['svc-a']);
      const foreign = await world.submit(PEOPLE.requester, ['svc-b']);
      expect((await world.call('GET', `/api/changes/${own}`, key)).status).toBe(200);

      const submitted = await world.call('POST', '/api/changes', key, {
        title: 'x', description: 'd', type: 'normal', cis: ['svc-b'], justification: 'j', backoutPlan: 'b',
        plan: { steps: [{ id: 's', name: 's', kind: 'manual', action: { instructions: 'i' }, rollback: { instructions: 'r' }, estimatedMinutes: 1 }] },
      });
      expect(submitted.status).toBe(403);
      expect(submitted.body.message).toMatch(/restricted to CIs svc-a: svc-b outside them/);
      const read = await world.call('GET', `/api/changes/${foreign}`, key);
      expect(read.status).toBe(403);
      const gate = await world.call('GET', `/api/changes/${foreign}/gate?ci=svc-b`, key);
      expect(gate.status).toBe(403);
      const step = await world.call('POST', `/api/changes/${foreign}/steps/confirm/complete`, key, { outcome: 'succeeded', notes: 'n' });
      expect(step.status).toBe(403);
      const listed = await world.call('GET', '/api/changes', key);
      const ids = listed.body.items.map((c: { id: string }) => c.id);
      expect(ids).toContain(own);
      expect(ids).not.toContain(foreign);
      expect(listed.body.items.every((c: { cis: string[] }) => c.cis.every((ci) => ci === 'svc-a'))).toBe(true);

      expect((await world.audit('api_key.refused', keyId)).map((e) => e.data.route)).toEqual([
        'POST /api/changes',
        'GET /api/changes/:id',
        'GET /api/changes/:id/gate',
        'POST /api/changes/:id/steps/:stepId/complete',
      ]);
      expect(world.target.count()).toBe(0);
      for (const id of [own, foreign]) await world.call('POST', `/api/changes/${id}/cancel`, PEOPLE.manager, { reason: 'test done' });
    });
  });
});
