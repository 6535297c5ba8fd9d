import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from './roles';

/**
 * API keys look like `stw_<key id>_<secret>`: the prefix tells them from a JWT (which starts
 * with `eyJ`), the key id finds the stored row, the secret (32 random bytes) is what is proved.
 * Only SHA-256 of the whole key is stored: the key is high-entropy, so a slow hash adds nothing,
 * and a database reader learns no usable key.
 */
export const API_KEY_PREFIX = 'stw_';
const KEY_SHAPE = /^stw_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { keyId: string; key: string; hash: string } {
  const keyId = randomBytes(10).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 16).padEnd(16, '0');
  const key = `${API_KEY_PREFIX}${keyId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The key id of a well-formed key, or undefined. */
export function apiKeyIdOf(key: string): string | undefined {
  return KEY_SHAPE.exec(key)?.[1];
}

/** Constant-time comparison of a presented key against a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** One authenticated request made with an API key, for the audit log. */
export interface ApiKeyUse {
  route: string;
  allowed: boolean;
  reason?: string;
}

/** Turns an API key into a service account's principal; provided by the API (it needs the database). */
export abstract class ApiKeyAuthenticator {
  /** Throws InvalidTokenError for an unknown, malformed, revoked or expired key. */
  abstract authenticate(key: string): Promise<Principal>;
  /** Audits one use of a key (allowed or refused) and records its last use. */
  abstract recordUse(principal: Principal, use: ApiKeyUse): Promise<void>;
}
