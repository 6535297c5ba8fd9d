import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
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
  /** Required with `oidcIssuer`: the `aud` every access token must carry (OIDC_AUDIENCE). */
  oidcAudience?: string;
  /** Dotted path of the roles claim, e.g. `realm_access.roles` (OIDC_ROLES_CLAIM, default `roles`). */
  rolesClaim?: string;
  /** Dotted path of the groups claim (OIDC_GROUPS_CLAIM, default `groups`). */
  groupsClaim?: string;
  /** How long an unknown `kid` waits before the key set is fetched again (default 30 s). */
  jwksCooldownMs?: number;
}

/**
 * Signature algorithms an OIDC issuer's keys may announce. Symmetric (HS*) algorithms are never
 * accepted from an issuer: its "key" would be public, so anyone could sign with it (HS/RS
 * confusion); `none` is never accepted at all.
 */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

interface Discovered {
  jwks: JWTVerifyGetKey;
  issuer: string;
}

/**
 * Turns a bearer token into a Principal: HS256 with the shared secret, or, when an OIDC issuer
 * is configured, asymmetric signatures checked against the keys its discovery document names.
 * `exp` is required in both modes: a token that never expires is a credential that is never
 * revoked.
 */
export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private discovery?: Promise<Discovered>;
  private readonly rolesPath: string[];
  private readonly groupsPath: string[];

  constructor(private readonly options: TokenVerifierOptions) {
    if (options.jwtSecret) this.secret = new TextEncoder().encode(options.jwtSecret);
    if (options.oidcIssuer && !options.oidcAudience) throw new Error('TokenVerifier: OIDC_AUDIENCE must be set with OIDC_ISSUER');
    if (!this.secret && !options.oidcIssuer) throw new Error('TokenVerifier needs JWT_SECRET or OIDC_ISSUER');
    this.rolesPath = claimPath(options.rolesClaim ?? 'roles');
    this.groupsPath = claimPath(options.groupsClaim ?? 'groups');
  }

  /**
   * Reads the issuer's discovery document once (again after a failure, so an issuer that was
   * down at start-up is picked up later). The document must name the configured issuer exactly:
   * otherwise a document served at that address could point us at someone else's keys.
   */
  private discover(): Promise<Discovered> {
    if (!this.discovery) {
      const configured = this.options.oidcIssuer!;
      const url = `${configured.replace(/\/$/, '')}/.well-known/openid-configuration`;
      this.discovery = (async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
        if (!response.ok) throw new Error(`discovery document ${url} answered ${response.status}`);
        const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
        if (typeof document.issuer !== 'string' || stripSlash(document.issuer) !== stripSlash(configured)) {
          throw new Error(`discovery document names issuer ${String(document.issuer)}, not ${configured}`);
        }
        if (typeof document.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
        const jwks = createRemoteJWKSet(new URL(document.jwks_uri), {
          // An unknown kid (the issuer rotated its keys) refetches the set, at most once per cooldown.
          cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
          cacheMaxAge: 10 * 60_000,
        });
        return { jwks, issuer: document.issuer };
      })();
      this.discovery.catch(() => (this.discovery = undefined));
    }
    return this.discovery;
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      if (this.options.oidcIssuer) {
        const { alg } = decodeProtectedHeader(token);
        if (!alg || !ASYMMETRIC_ALGORITHMS.includes(alg)) throw new Error(`algorithm ${String(alg)} is not accepted from an OIDC issuer`);
        const { jwks, issuer } = await this.discover();
        // The remote key set picks the key by kid and refuses one whose own `alg`/`kty` does not
        // fit the header: the algorithm is pinned to what the issuer's keys announce.
        payload = (
          await jwtVerify(token, jwks, { issuer, audience: this.options.oidcAudience, algorithms: ASYMMETRIC_ALGORITHMS, requiredClaims: ['exp', 'sub'] })
        ).payload;
      } else {
        payload = (await jwtVerify(token, this.secret!, { algorithms: ['HS256'], requiredClaims: ['exp'] })).payload;
      }
    } catch (error) {
      throw new InvalidTokenError(`invalid bearer token: ${(error as Error).message}`);
    }
    return principalFromClaims(payload, { roles: this.rolesPath, groups: this.groupsPath });
  }
}

const stripSlash = (value: string): string => value.replace(/\/+$/, '');

/** `realm_access.roles` → ['realm_access', 'roles']. */
export function claimPath(path: string): string[] {
  if (!/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/.test(path)) throw new Error(`not a claim path: ${path}`);
  return path.split('.');
}

function readPath(payload: JWTPayload, path: readonly string[]): unknown {
  let value: unknown = payload;
  for (const part of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A claim as a list of strings: an array, or a space-separated string (as `scope` is). */
function stringList(value: unknown): string[] {
  const items = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : [];
  return items.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

export function principalFromClaims(payload: JWTPayload, paths: { roles: readonly string[]; groups: readonly string[] } = { roles: ['roles'], groups: ['groups'] }): Principal {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidTokenError('invalid bearer token: no sub claim');
  // A token's subject must not pass for a service account: those only come from API keys.
  if (payload.sub.startsWith('service:')) throw new InvalidTokenError('invalid bearer token: sub names a service account');
  const roles = stringList(readPath(payload, paths.roles)).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  const groups = stringList(readPath(payload, paths.groups));
  const name = typeof payload.name === 'string' && payload.name.length > 0 ? payload.name : payload.sub;
  return { id: payload.sub, name, roles: [...new Set(roles)], groups: [...new Set(groups)] };
}

/** Mints an HS256 token, for the demo identities and tests. Production tokens come from an IdP. */
export async function signToken(secret: string, principal: Principal, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ name: principal.name, roles: principal.roles, groups: principal.groups })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.id)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
