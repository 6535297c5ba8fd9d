import type { DecisionPayload, SignedDecision } from '@steward/contracts';
import { canonicalJson } from '@steward/domain';
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

function payloadOf(decision: DecisionPayload): DecisionPayload {
  const { changeId, planHash, approver, decision: verdict, comment, at } = decision;
  return {
    changeId,
    planHash,
    approver: { id: approver.id, name: approver.name, roles: [...approver.roles].sort(), groups: [...approver.groups].sort() },
    decision: verdict,
    comment,
    at,
  };
}

/** An Ed25519 signature (64 bytes) in base64url without padding: 86 characters. */
const SIGNATURE_FORMAT = /^[A-Za-z0-9_-]{86}$/;

/**
 * Verifies CAB decisions with the API's Ed25519 public key. The worker holds only this: it can
 * tell a genuine decision from a forged one, and cannot make one. Anything else is refused:
 * another key's signature, an altered field, and the HMAC signatures (64 hex characters) of
 * earlier versions.
 */
export class DecisionVerifier {
  private readonly publicKey: KeyObject;

  constructor(publicKey: KeyObject) {
    if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519') throw new Error('DecisionVerifier needs an Ed25519 public key');
    this.publicKey = publicKey;
  }

  verify(decision: SignedDecision): boolean {
    if (typeof decision?.signature !== 'string' || !SIGNATURE_FORMAT.test(decision.signature)) return false;
    try {
      return verify(null, Buffer.from(canonicalJson(payloadOf(decision))), this.publicKey, Buffer.from(decision.signature, 'base64url'));
    } catch {
      return false;
    }
  }
}

function publicHalf(privateKey: KeyObject): KeyObject {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') throw new Error('DecisionSigner needs an Ed25519 private key');
  return createPublicKey(privateKey);
}

/**
 * Signs CAB decisions in the API (which verified who the approver is) with the Ed25519 private
 * key. A decision that did not come through the API carries no valid signature.
 */
export class DecisionSigner extends DecisionVerifier {
  constructor(private readonly privateKey: KeyObject) {
    super(publicHalf(privateKey));
  }

  sign(decision: DecisionPayload): SignedDecision {
    const payload = payloadOf(decision);
    return { ...payload, signature: sign(null, Buffer.from(canonicalJson(payload)), this.privateKey).toString('base64url') };
  }
}
