import { SignJWT } from 'jose';
import { InvalidTokenError, TokenVerifier, signToken } from './token-verifier';

const secret = 'a-test-secret-that-is-long-enough-0123456789';

describe('TokenVerifier (HS256)', () => {
  const verifier = new TokenVerifier({ jwtSecret: secret });

  it('reads sub, name, roles and groups from a valid token', async () => {
    const token = await signToken(secret, { id: 'alice', name: 'Alice', roles: ['requester'], groups: ['payments-team'] });
    await expect(verifier.verify(token)).resolves.toEqual({ id: 'alice', name: 'Alice', roles: ['requester'], groups: ['payments-team'] });
  });

  it('drops roles it does not know, so a typo never grants anything', async () => {
    const token = await signToken(secret, { id: 'x', name: 'X', roles: ['requester', 'superuser' as never], groups: [] });
    expect((await verifier.verify(token)).roles).toEqual(['requester']);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await signToken('another-secret-that-is-long-enough-000000', { id: 'mallory', name: 'M', roles: ['admin'], groups: [] });
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses an expired token', async () => {
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('old')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(secret));
    await expect(verifier.verify(token)).rejects.toThrow(/exp/);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'mallory', roles: ['admin'] })).toString('base64url');
    await expect(verifier.verify(`${header}.${body}.`)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a token without a subject', async () => {
    const token = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    await expect(verifier.verify(token)).rejects.toThrow(/sub/);
  });

  it('refuses a token without exp: a token that never expires is never revoked', async () => {
    const token = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('forever').sign(new TextEncoder().encode(secret));
    await expect(verifier.verify(token)).rejects.toThrow(/"exp" claim/);
  });

  it('refuses a subject that poses as a service account', async () => {
    const token = await signToken(secret, { id: 'service:deployer', name: 'D', roles: [], groups: [] });
    await expect(verifier.verify(token)).rejects.toThrow(/service account/);
  });

  it('mints demo tokens that last 12 hours', async () => {
    const token = await signToken(secret, { id: 'alice', name: 'Alice', roles: [], groups: [] });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(12 * 3600);
  });

  it('reads roles and groups from configured dotted claim paths', async () => {
    const nested = new TokenVerifier({ jwtSecret: secret, rolesClaim: 'realm_access.roles', groupsClaim: 'org.teams' });
    const token = await new SignJWT({ realm_access: { roles: ['cab_member', 'nope'] }, org: { teams: ['cab', 42] }, roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('bob')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    await expect(nested.verify(token)).resolves.toEqual({ id: 'bob', name: 'bob', roles: ['cab_member'], groups: ['cab'] });
  });

  it('refuses a claim path that is not one', () => {
    expect(() => new TokenVerifier({ jwtSecret: secret, rolesClaim: 'realm_access..roles' })).toThrow(/claim path/);
  });
});

describe('TokenVerifier (OIDC settings)', () => {
  it('needs an audience with an issuer', () => {
    expect(() => new TokenVerifier({ oidcIssuer: 'https://id.example.com' })).toThrow(/OIDC_AUDIENCE/);
  });
});
