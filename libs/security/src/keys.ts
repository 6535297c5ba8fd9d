import { hkdfSync } from 'node:crypto';

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
