import { DEFAULT_ABUSE_SETTINGS, type AbuseSettings } from '@steward/config';
import type { Request } from 'express';
import { OpenSlots, TokenBuckets, type BucketVerdict } from './token-buckets';

/**
 * The API process's abuse counters: failed authentications per client address and per
 * presented subject, writes per principal and per address, open event streams per principal.
 * In memory (see TokenBuckets): each API process limits on its own.
 */
export class AbuseControl {
  readonly authFailuresByAddress: TokenBuckets;
  readonly authFailuresBySubject: TokenBuckets;
  readonly writesByPrincipal: TokenBuckets;
  readonly writesByAddress: TokenBuckets;
  readonly eventStreams: OpenSlots;

  constructor(readonly settings: AbuseSettings = DEFAULT_ABUSE_SETTINGS, now: () => number = Date.now) {
    this.authFailuresByAddress = new TokenBuckets(settings.authFailuresPerMinute, now);
    this.authFailuresBySubject = new TokenBuckets(settings.authFailuresPerMinute, now);
    this.writesByPrincipal = new TokenBuckets(settings.writesPerMinute, now);
    this.writesByAddress = new TokenBuckets(settings.writesPerAddressPerMinute, now);
    this.eventStreams = new OpenSlots(settings.eventStreamsPerPrincipal);
  }

  /** A write by this principal from this address: both buckets must have a token. */
  takeWrite(principalId: string | undefined, address: string): BucketVerdict & { by?: 'principal' | 'address' } {
    const byAddress = this.writesByAddress.peek(address);
    if (!byAddress.allowed) return { ...byAddress, by: 'address' };
    if (principalId !== undefined) {
      const byPrincipal = this.writesByPrincipal.take(principalId);
      if (!byPrincipal.allowed) return { ...byPrincipal, by: 'principal' };
    }
    return this.writesByAddress.take(address);
  }
}

/** The client's address as Express sees it (`trust proxy` decides whether X-Forwarded-For counts). */
export function clientAddress(req: Request): string {
  const raw = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
  return raw.startsWith('::ffff:') ? raw.slice('::ffff:'.length) : raw;
}

/**
 * The subject a bearer token claims, read without verifying it (only to count failures
 * against it, never to authorise anything). Undefined when no JWT-shaped token is presented.
 */
export function presentedSubject(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/i.exec(header) : null;
  if (!match) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(match[2], 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' && claims.sub.length > 0 ? claims.sub.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
