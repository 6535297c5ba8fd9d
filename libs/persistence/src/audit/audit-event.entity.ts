import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One entry of the append-only, hash-chained audit log. Each row's hash covers its content and
 * the previous row's hash, so editing or removing any row breaks every hash after it; the
 * database itself refuses UPDATE, DELETE and TRUNCATE on this table.
 */
@Entity({ name: 'audit_event' })
@Index('ix_audit_event_entity', ['entity', 'entityId', 'seq'])
export class AuditEventEntity {
  /** Position in the chain, from 1, without gaps. */
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_audit_event' })
  seq: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 50 })
  entity: string;

  @Column({ name: 'entity_id', type: 'varchar', length: 200 })
  entityId: string;

  @Column({ type: 'varchar', length: 100 })
  action: string;

  @Column({ type: 'varchar', length: 200 })
  actor: string;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64 })
  hash: string;
}
