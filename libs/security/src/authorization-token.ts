import { canonicalJson } from '@steward/domain';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { StewardKeys } from './keys';

/** What an implementation token allows: this change, this plan, this run, this interval. */
export interface AuthorizationClaims {
  tokenId: string;
  changeId: string;
  planHash: string;
  runId: string;
  windowStart: string;
  windowEnd: string;
  issuedAt: string;
}

export class InvalidAuthorizationToken extends Error {
  constructor(reason: string) {
    super(`authorization token refused: ${reason}`);
    this.name = 'InvalidAuthorizationToken';
  }
}

/**
 * Issues and checks the tokens that executors demand before acting. Only the gate activity
 * issues them, after verifying the quorum; a token is `base64url(claims).hex(hmac)`.
 */
export class AuthorizationTokens {
  /** `null` in the API: it neither issues nor checks tokens, so it holds no key for them. */
  constructor(private readonly keys: StewardKeys | null) {}

  private mac(encoded: string): Buffer {
    if (!this.keys) throw new Error('this process holds no WORKER_SECRET: implementation tokens are issued and checked by the worker only');
    return createHmac('sha256', this.keys.key('authorization')).update(encoded).digest();
  }

  /** A retried gate re-issues the same token: pass the recorded tokenId and issue time. */
  issue(claims: Omit<AuthorizationClaims, 'tokenId' | 'issuedAt'>, issuedAt: Date, tokenId: string = randomUUID()): { token: string; claims: AuthorizationClaims } {
    const full: AuthorizationClaims = { ...claims, tokenId, issuedAt: issuedAt.toISOString() };
    const encoded = Buffer.from(canonicalJson(full)).toString('base64url');
    return { token: `${encoded}.${this.mac(encoded).toString('hex')}`, claims: full };
  }

  /** The claims of a genuine token; throws for anything forged, altered or malformed. */
  verify(token: unknown): AuthorizationClaims {
    if (typeof token !== 'string') throw new InvalidAuthorizationToken('no token');
    const match = /^([A-Za-z0-9_-]+)\.([0-9a-f]{64})$/.exec(token);
    if (!match) throw new InvalidAuthorizationToken('malformed token');
    if (!timingSafeEqual(Buffer.from(match[2], 'hex'), this.mac(match[1]))) throw new InvalidAuthorizationToken('bad signature');
    try {
      return JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8')) as AuthorizationClaims;
    } catch {
      throw new InvalidAuthorizationToken('unreadable claims');
    }
  }
}
