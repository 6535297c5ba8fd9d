import { CHECKPOINT_FORMAT, type CheckpointClaim } from '@steward/domain';
import { createPublicKey } from 'node:crypto';
// The chain's hash rule itself, imported by path: the persistence index would bring TypeORM into an offline tool.
import { GENESIS_HASH, auditHash } from '../../persistence/src/audit/audit-chain';
import { auditKeyId, verifyCheckpointSignature, type CheckpointExport } from './audit-checkpoint-keys';

/** An event as `GET /api/audit` lists it. */
export interface ExportedAuditEvent {
  seq: string;
  at: string;
  entity: string;
  entityId: string;
  action: string;
  actor: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface OfflineCheck {
  ok: boolean;
  /** What was proved (or what failed), one statement per line. */
  lines: string[];
}

/**
 * Checks an exported checkpoint with no database and no network: the signature over its claim
 * with the public key in the file (pinned to `expectedKeyId` or a key file when given), and,
 * with the events exported from `GET /api/audit`, that the chain recomputed from its first event
 * reaches the checkpoint's head with the signed hash.
 */
export function checkCheckpointExport(input: unknown, options: { events?: ExportedAuditEvent[]; publicKeyPem?: string } = {}): OfflineCheck {
  const lines: string[] = [];
  const fail = (line: string): OfflineCheck => ({ ok: false, lines: [...lines, `FAILED: ${line}`] });
  const exported = input as Partial<CheckpointExport>;
  if (!exported || exported.format !== CHECKPOINT_FORMAT || !exported.checkpoint || typeof exported.signature !== 'string' || !exported.publicKey?.pem) {
    return fail(`not a ${CHECKPOINT_FORMAT} export (GET /api/audit/checkpoints/latest)`);
  }
  const { id, ...claim } = exported.checkpoint as CheckpointClaim & { id: string };
  let publicKey;
  try {
    publicKey = createPublicKey(exported.publicKey.pem);
  } catch {
    return fail('the public key in the file cannot be read');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') return fail('the public key is not an Ed25519 key');
  const keyId = auditKeyId(publicKey);
  if (keyId !== claim.keyId) return fail(`the checkpoint names key ${claim.keyId}, but the public key in the file is ${keyId}`);
  if (options.publicKeyPem !== undefined) {
    const pinned = auditKeyId(createPublicKey(options.publicKeyPem));
    if (pinned !== keyId) return fail(`the checkpoint was signed by key ${keyId}, not by the pinned key ${pinned}`);
    lines.push(`key ${keyId} is the pinned public key`);
  } else {
    lines.push(`key ${keyId} is the key in the file: compare this id with the one you keep (GET /api/audit/checkpoints/public-key)`);
  }
  if (!verifyCheckpointSignature(publicKey, claim, exported.signature)) return fail(`the signature of checkpoint #${id} does not verify: the file was altered or forged`);
  lines.push(`signature valid: checkpoint #${id} says the audit chain had ${claim.events} events, head ${claim.headSeq} with hash ${claim.headHash}, at ${claim.at}`);

  if (!options.events) {
    lines.push('no events given (--events): the chain itself was not checked against the checkpoint');
    return { ok: true, lines };
  }
  const events = [...options.events].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0));
  let prevHash = GENESIS_HASH;
  let expected = 1n;
  let hashAtHead: string | undefined;
  const head = BigInt(claim.headSeq);
  for (const event of events) {
    if (BigInt(event.seq) !== expected) return fail(`event ${expected} is missing from the events file (next is ${event.seq}); export from the first event`);
    if (event.prevHash !== prevHash) return fail(`event ${event.seq} does not follow the previous hash`);
    const recomputed = auditHash(prevHash, { ...event, at: new Date(event.at) });
    if (recomputed !== event.hash) return fail(`event ${event.seq}'s content does not match its hash`);
    if (expected === head) hashAtHead = recomputed;
    prevHash = recomputed;
    expected += 1n;
  }
  const count = expected - 1n;
  if (count < head) return fail(`the events end at ${count}, before the checkpoint's head ${claim.headSeq}: truncated (or exported short)`);
  if (hashAtHead !== claim.headHash) return fail(`the chain's hash at event ${claim.headSeq} is ${hashAtHead}, the signed one ${claim.headHash}: rewritten`);
  lines.push(`chain recomputed from event 1 to ${count}: intact, and its hash at event ${claim.headSeq} is the signed one`);
  return { ok: true, lines };
}
