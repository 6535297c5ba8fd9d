import type { DecisionPayload, SignedDecision } from '@steward/contracts';
import { canonicalJson } from '@steward/domain';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StewardKeys } from './keys';

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

/**
 * Signs CAB decisions in the API (which verified who the approver is) and verifies them in
 * the worker. A decision that did not come through the API carries no valid signature.
 */
export class DecisionSigner {
  constructor(private readonly keys: StewardKeys) {}

  private mac(decision: DecisionPayload): Buffer {
    return createHmac('sha256', this.keys.key('decision')).update(canonicalJson(payloadOf(decision))).digest();
  }

  sign(decision: DecisionPayload): SignedDecision {
    const payload = payloadOf(decision);
    return { ...payload, signature: this.mac(payload).toString('hex') };
  }

  verify(decision: SignedDecision): boolean {
    if (typeof decision?.signature !== 'string' || !/^[0-9a-f]{64}$/.test(decision.signature)) return false;
    try {
      return timingSafeEqual(Buffer.from(decision.signature, 'hex'), this.mac(decision));
    } catch {
      return false;
    }
  }
}
