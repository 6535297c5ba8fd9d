import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A signed checkpoint of the audit chain's head (append-only; see the migration). */
@Entity({ name: 'audit_checkpoint' })
@Index('ix_audit_checkpoint_head', ['headSeq'])
@Check('ck_audit_checkpoint_head', '"head_seq" >= 1 AND "events" >= 1')
export class AuditCheckpointEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_audit_checkpoint' })
  id: string;

  @Column({ name: 'head_seq', type: 'bigint' })
  headSeq: string;

  @Column({ name: 'head_hash', type: 'char', length: 64 })
  headHash: string;

  @Column({ type: 'bigint' })
  events: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ name: 'key_id', type: 'varchar', length: 64 })
  keyId: string;

  /** base64 Ed25519 signature over checkpointStatement(claim). */
  @Column({ type: 'text' })
  signature: string;

  /** Who asked for it: a person's id, or `worker` for the periodic ones. */
  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;
}
