import { canonicalJson } from '@steward/domain';
import { createHash } from 'node:crypto';

/** The hash before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedContent {
  seq: string;
  at: Date;
  entity: string;
  entityId: string;
  action: string;
  actor: string;
  data: Record<string, unknown>;
}

/** sha256 over the previous hash and the canonical form of the event's content. */
export function auditHash(prevHash: string, event: ChainedContent): string {
  const content = canonicalJson({
    seq: event.seq,
    at: event.at.toISOString(),
    entity: event.entity,
    entityId: event.entityId,
    action: event.action,
    actor: event.actor,
    data: event.data,
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}
