import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { insertRows } from '../insert-rows';
import { AuditEventEntity } from './audit-event.entity';
import { GENESIS_HASH, auditHash } from './audit-chain';

/** Arbitrary but fixed: the advisory lock that serialises appends to the chain. */
export const AUDIT_CHAIN_LOCK = 0x5745_4144; // "STEWARD audit"

export interface AuditEntry {
  entity: string;
  entityId: string;
  action: string;
  actor: string;
  data?: Record<string, unknown>;
  at?: Date;
}

export interface AuditVerification {
  valid: boolean;
  events: number;
  brokenAt?: string;
  reason?: string;
}

/**
 * Appends to and verifies the audit chain. Appends run inside the caller's transaction, so an
 * event is recorded if and only if the change it describes is.
 */
@Injectable()
export class AuditLog {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Appends entries in order; the caller's transaction holds the chain lock until it ends. */
  async append(manager: EntityManager, entries: AuditEntry | AuditEntry[]): Promise<void> {
    const list = Array.isArray(entries) ? entries : [entries];
    if (list.length === 0) return;
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const [last] = (await manager.query('SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1')) as Array<{ seq: string; hash: string }>;
    let seq = last ? BigInt(last.seq) : 0n;
    let prevHash = last ? last.hash : GENESIS_HASH;
    const rows: AuditEventEntity[] = [];
    for (const entry of list) {
      seq += 1n;
      // Millisecond precision: what JavaScript dates carry, so the hash survives the round trip.
      const at = new Date((entry.at ?? new Date()).getTime());
      const content = { seq: seq.toString(), at, entity: entry.entity, entityId: entry.entityId, action: entry.action, actor: entry.actor, data: entry.data ?? {} };
      const hash = auditHash(prevHash, content);
      rows.push(Object.assign(new AuditEventEntity(), { ...content, prevHash, hash }));
      prevHash = hash;
    }
    await insertRows(manager, AuditEventEntity, rows);
  }

  /** Appends in a transaction of its own. */
  async record(entries: AuditEntry | AuditEntry[]): Promise<void> {
    await this.db.transaction((tx) => this.append(tx, entries));
  }

  async list(filter: { entity?: string; entityId?: string; limit: number; afterSeq?: string }): Promise<AuditEventEntity[]> {
    const qb = this.db.getRepository(AuditEventEntity).createQueryBuilder('a').orderBy('a.seq', 'ASC').take(filter.limit);
    if (filter.entity) qb.andWhere('a.entity = :entity', { entity: filter.entity });
    if (filter.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: filter.entityId });
    if (filter.afterSeq) qb.andWhere('a.seq > :after', { after: filter.afterSeq });
    return qb.getMany();
  }

  /** Walks the whole chain in pages, recomputing every hash; memory stays flat. */
  async verify(pageSize = 2000): Promise<AuditVerification> {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1n;
    let events = 0;
    for (;;) {
      const page = await this.db
        .getRepository(AuditEventEntity)
        .createQueryBuilder('a')
        .where('a.seq >= :from', { from: expectedSeq.toString() })
        .orderBy('a.seq', 'ASC')
        .take(pageSize)
        .getMany();
      if (page.length === 0) return { valid: true, events };
      for (const event of page) {
        if (BigInt(event.seq) !== expectedSeq) return { valid: false, events, brokenAt: expectedSeq.toString(), reason: 'event missing from the chain' };
        if (event.prevHash !== prevHash) return { valid: false, events, brokenAt: event.seq, reason: 'previous hash does not match' };
        if (auditHash(prevHash, event) !== event.hash) return { valid: false, events, brokenAt: event.seq, reason: 'content does not match its hash' };
        prevHash = event.hash;
        expectedSeq += 1n;
        events += 1;
      }
    }
  }
}
