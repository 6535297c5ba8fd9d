import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ROLES, type Principal, type Role } from './roles';

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

export interface TokenVerifierOptions {
  jwtSecret?: string;
  oidcIssuer?: string;
  oidcAudience?: string;
}

/**
 * Turns a bearer token into a Principal: HS256 with the shared secret, or, when an OIDC issuer
 * is configured, RS/ES signatures checked against the issuer's published keys.
 */
export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(private readonly options: TokenVerifierOptions) {
    if (options.jwtSecret) this.secret = new TextEncoder().encode(options.jwtSecret);
    if (options.oidcIssuer) {
      const issuer = options.oidcIssuer.replace(/\/$/, '');
      this.jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    }
    if (!this.secret && !this.jwks) throw new Error('TokenVerifier needs JWT_SECRET or OIDC_ISSUER');
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      payload = this.jwks
        ? (await jwtVerify(token, this.jwks, { issuer: this.options.oidcIssuer, audience: this.options.oidcAudience })).payload
        : (await jwtVerify(token, this.secret!, { algorithms: ['HS256'] })).payload;
    } catch (error) {
      throw new InvalidTokenError(`invalid bearer token: ${(error as Error).message}`);
    }
    return principalFromClaims(payload);
  }
}

export function principalFromClaims(payload: JWTPayload): Principal {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidTokenError('invalid bearer token: no sub claim');
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r)) : [];
  const groups = Array.isArray(payload.groups) ? payload.groups.filter((g): g is string => typeof g === 'string' && g.length > 0) : [];
  const name = typeof payload.name === 'string' && payload.name.length > 0 ? payload.name : payload.sub;
  return { id: payload.sub, name, roles, groups };
}

/** Mints an HS256 token, for the demo identities and tests. Production tokens come from an IdP. */
export async function signToken(secret: string, principal: Principal, expiresIn = '30d'): Promise<string> {
  return new SignJWT({ name: principal.name, roles: principal.roles, groups: principal.groups })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.id)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
