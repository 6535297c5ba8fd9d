import { canonicalJson } from '../change/canonical-json';

/**
 * Signed checkpoints of the audit chain's head. The hash chain alone proves that the events
 * agree with each other; someone with database rights can still rewrite an event and
 * recompute every later hash, or cut off the tail. A checkpoint is a signature, by a key the
 * database does not hold, over (head position, head hash, event count, time): a chain that no
 * longer reaches a checkpoint's head, or whose hash there differs, is caught, and so is a
 * checkpoint row forged without the key.
 */
export const CHECKPOINT_FORMAT = 'steward-audit-checkpoint/v1';

/** What a checkpoint asserts; every field is covered by its signature. */
export interface CheckpointClaim {
  /** Sequence number of the last event covered (the chain's head when signed). */
  headSeq: string;
  /** That event's hash. */
  headHash: string;
  /** Events in the chain up to the head (equal to headSeq: the chain has no gaps). */
  events: string;
  /** When it was signed, ISO 8601 UTC. */
  at: string;
  /** Which key signed it (see keyId in libs/security). */
  keyId: string;
}

/** The exact bytes that are signed: the format name and the claim in canonical JSON. */
export function checkpointStatement(claim: CheckpointClaim): string {
  return canonicalJson({ format: CHECKPOINT_FORMAT, headSeq: claim.headSeq, headHash: claim.headHash, events: claim.events, at: claim.at, keyId: claim.keyId });
}

export type CheckpointProblemKind = 'forged' | 'unknown_key' | 'inconsistent' | 'truncated' | 'rewritten';

export interface CheckpointProblem {
  checkpointId: string;
  headSeq: string;
  kind: CheckpointProblemKind;
  message: string;
}

export type SignatureVerdict = 'valid' | 'invalid' | 'unknown_key';

export interface CheckpointEvidence {
  id: string;
  claim: CheckpointClaim;
  signature: SignatureVerdict;
  /** Events the chain holds now, counted from 1 without gaps. */
  chainEvents: bigint;
  /** The chain's hash now at the checkpoint's head (undefined when the chain does not reach it). */
  hashAtHead?: string;
}

/** What one checkpoint says about the chain as it is now; undefined when they agree. */
export function judgeCheckpoint(evidence: CheckpointEvidence): CheckpointProblem | undefined {
  const { id, claim } = evidence;
  const name = `checkpoint #${id} (head ${claim.headSeq}, signed ${claim.at} by key ${claim.keyId})`;
  const problem = (kind: CheckpointProblemKind, message: string): CheckpointProblem => ({ checkpointId: id, headSeq: claim.headSeq, kind, message: `${name}: ${message}` });
  if (evidence.signature === 'unknown_key') return problem('unknown_key', 'signed by a key that is neither AUDIT_SIGNING_KEY nor one of AUDIT_TRUSTED_PUBLIC_KEYS');
  if (evidence.signature === 'invalid') return problem('forged', 'its signature does not verify: the checkpoint was forged or altered');
  if (claim.events !== claim.headSeq) return problem('inconsistent', `it counts ${claim.events} events up to event ${claim.headSeq}`);
  const head = BigInt(claim.headSeq);
  if (evidence.chainEvents < head) return problem('truncated', `the chain now ends at event ${evidence.chainEvents}, before the signed head ${claim.headSeq}: events were removed`);
  if (evidence.hashAtHead !== claim.headHash) {
    return problem('rewritten', `the chain's hash at event ${claim.headSeq} is ${evidence.hashAtHead ?? 'missing'}, the signed one ${claim.headHash}: events up to it were rewritten`);
  }
  return undefined;
}

/** A checkpoint is due when the head moved and enough time passed or enough events arrived since the last one. */
export function checkpointDue(input: { headSeq: bigint; last?: { headSeq: bigint; at: Date }; now: Date; everyMs: number; everyEvents: number }): boolean {
  if (input.headSeq === 0n) return false;
  if (!input.last) return true;
  if (input.headSeq <= input.last.headSeq) return false;
  if (input.now.getTime() - input.last.at.getTime() >= input.everyMs) return true;
  return input.everyEvents > 0 && input.headSeq - input.last.headSeq >= BigInt(input.everyEvents);
}
