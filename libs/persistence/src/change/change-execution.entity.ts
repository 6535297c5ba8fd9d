import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ChangeRequestEntity } from './change-request.entity';

/**
 * The execution ledger: one row per (change, step, phase), claimed under the authorization
 * before the executor is called, with the outcome once the executor answered. A claimed row is
 * never claimed again, so nothing (a retry, a reset, a new run, a foreign worker) executes a
 * step's action or rollback twice. The database refuses deletes and rewrites (a trigger).
 */
@Entity({ name: 'change_execution' })
@Unique('uq_change_execution_step_phase', ['changeId', 'stepId', 'phase'])
@Check('ck_change_execution_phase', `"phase" IN ('action','rollback')`)
@Check('ck_change_execution_outcome', `"outcome" IS NULL OR "outcome" IN ('succeeded','failed')`)
@Check('ck_change_execution_finished', `("outcome" IS NULL) = ("finished_at" IS NULL)`)
export class ChangeExecutionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_change_execution' })
  id: string;

  @Column({ name: 'change_id', type: 'varchar', length: 20 })
  changeId: string;

  @ManyToOne(() => ChangeRequestEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'change_id', foreignKeyConstraintName: 'fk_change_execution_change' })
  change?: ChangeRequestEntity;

  @Column({ name: 'step_id', type: 'varchar', length: 64 })
  stepId: string;

  @Column({ type: 'varchar', length: 10 })
  phase: 'action' | 'rollback';

  @Column({ name: 'claimed_at', type: 'timestamptz' })
  claimedAt: Date;

  /** The authorization the claim was made under. */
  @Column({ name: 'token_id', type: 'varchar', length: 64 })
  tokenId: string;

  /** The workflow run that claimed it (from the activity context). */
  @Column({ name: 'run_id', type: 'varchar', length: 64 })
  runId: string;

  /** What the target saw as `Idempotency-Key`; a retry after a crash sends the same. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 200 })
  idempotencyKey: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  outcome: 'succeeded' | 'failed' | null;

  @Column({ type: 'text', nullable: true })
  detail: string | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
