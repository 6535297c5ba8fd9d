import { hkdfSync } from 'node:crypto';

/**
 * One configured secret, several keys: each purpose gets its own key derived with HKDF, so a
 * signature made for one purpose (a CAB decision) can never pass for another (an
 * implementation token, an outbound executor request).
 */
export type KeyPurpose = 'decision' | 'authorization' | 'executor-request';

export class StewardKeys {
  private readonly derived = new Map<KeyPurpose, Buffer>();

  constructor(private readonly secret: string) {
    if (!secret || secret.length < 32) throw new Error('the signing secret must be at least 32 characters');
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
