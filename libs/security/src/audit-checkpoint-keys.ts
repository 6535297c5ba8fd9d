import { CHECKPOINT_FORMAT, checkpointStatement, type CheckpointClaim, type SignatureVerdict } from '@steward/domain';
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readKeyMaterial } from './keys';

/** A key's id: the first 16 hex digits of sha256 over its public key (SPKI DER). Names the key, reveals nothing. */
export function auditKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 16);
}

export interface AuditPublicKeyView {
  keyId: string;
  algorithm: 'Ed25519';
  /** -----BEGIN PUBLIC KEY----- ... */
  pem: string;
  /** base64 of the SPKI DER form (what AUDIT_TRUSTED_PUBLIC_KEYS takes). */
  spki: string;
}

export function publicKeyView(publicKey: KeyObject): AuditPublicKeyView {
  return {
    keyId: auditKeyId(publicKey),
    algorithm: 'Ed25519',
    pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    spki: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** Ed25519 over the checkpoint statement (libs/domain/src/audit/checkpoint.ts); signature in base64. */
export function verifyCheckpointSignature(publicKey: KeyObject, claim: CheckpointClaim, signature: string): boolean {
  try {
    return verify(null, Buffer.from(checkpointStatement(claim), 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** What `GET /api/audit/checkpoints/latest` exports and `npm run verify-checkpoint` checks offline. */
export interface CheckpointExport {
  format: typeof CHECKPOINT_FORMAT;
  checkpoint: CheckpointClaim & { id: string };
  /** base64 Ed25519 signature over checkpointStatement(checkpoint without id). */
  signature: string;
  publicKey: AuditPublicKeyView;
}

/**
 * The audit checkpoint keys of this process: AUDIT_SIGNING_KEY (Ed25519 private) signs, and
 * checkpoints verify against its public key or one of AUDIT_TRUSTED_PUBLIC_KEYS (earlier keys,
 * after a rotation). The database never holds a private key, so rights on the database are not
 * enough to write a checkpoint that verifies.
 */
export class AuditCheckpointKeys {
  private readonly privateKey?: KeyObject;
  readonly publicKey?: KeyObject;
  readonly keyId?: string;
  private readonly trusted = new Map<string, KeyObject>();

  constructor(settings: { signingKey?: string; trustedPublicKeys?: readonly string[] } = {}) {
    if (settings.signingKey) {
      this.privateKey = readKeyMaterial(settings.signingKey, 'private');
      if (this.privateKey.asymmetricKeyType !== 'ed25519') throw new Error('AUDIT_SIGNING_KEY must be an Ed25519 private key');
      this.publicKey = createPublicKey(this.privateKey);
      this.keyId = auditKeyId(this.publicKey);
      this.trusted.set(this.keyId, this.publicKey);
    }
    for (const text of settings.trustedPublicKeys ?? []) {
      const key = readKeyMaterial(text, 'public');
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('AUDIT_TRUSTED_PUBLIC_KEYS must hold Ed25519 public keys');
      this.trusted.set(auditKeyId(key), key);
    }
  }

  get canSign(): boolean {
    return this.privateKey !== undefined;
  }

  /** Signs a claim (its keyId must be this key's). */
  sign(claim: CheckpointClaim): string {
    if (!this.privateKey || claim.keyId !== this.keyId) throw new Error('audit checkpoints need AUDIT_SIGNING_KEY');
    return sign(null, Buffer.from(checkpointStatement(claim), 'utf8'), this.privateKey).toString('base64');
  }

  verify(claim: CheckpointClaim, signature: string): SignatureVerdict {
    const key = this.trusted.get(claim.keyId);
    if (!key) return 'unknown_key';
    return verifyCheckpointSignature(key, claim, signature) ? 'valid' : 'invalid';
  }

  publicKeyView(): AuditPublicKeyView | undefined {
    return this.publicKey ? publicKeyView(this.publicKey) : undefined;
  }

  /** Every key a checkpoint may verify against, current first. */
  trustedKeys(): AuditPublicKeyView[] {
    return [...this.trusted.values()].map(publicKeyView);
  }
}
