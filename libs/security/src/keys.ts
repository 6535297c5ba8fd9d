import { createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * The worker's own secret (WORKER_SECRET), several keys: each purpose gets its own key derived
 * with HKDF, so a MAC made for one purpose (an implementation token) can never pass for another
 * (an outbound executor request). CAB decisions are not among them: they are signed with the
 * API's Ed25519 key (decision-keys.ts), which the worker never holds.
 */
export type KeyPurpose = 'authorization' | 'executor-request';

export class StewardKeys {
  private readonly derived = new Map<KeyPurpose, Buffer>();

  constructor(private readonly secret: string) {
    if (!secret || secret.length < 32) throw new Error('WORKER_SECRET must be at least 32 characters');
  }

  key(purpose: KeyPurpose): Buffer {
    let key = this.derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.secret, 'steward', `steward/${purpose}/v1`, 32));
      this.derived.set(purpose, key);
    }
    return key;
  }
}

/**
 * PEM, or base64 / base64url of the DER form (PKCS#8 for private, SPKI for public keys). Here and
 * not in libs/config, which validates with it: security must not import config (no cycle).
 */
export function readKeyMaterial(text: string, kind: 'private' | 'public'): KeyObject {
  const trimmed = text.replace(/\\n/g, '\n').trim();
  if (trimmed.startsWith('-----BEGIN')) return kind === 'private' ? createPrivateKey(trimmed) : createPublicKey(trimmed);
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new Error('is neither PEM nor base64');
  const der = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return kind === 'private' ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) : createPublicKey({ key: der, format: 'der', type: 'spki' });
}
