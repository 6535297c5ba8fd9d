import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

/** One snapshot received from a discovery source, with what reconciliation made of it. */
@Entity({ name: 'discovery_run' })
@Index('ix_discovery_run_at', ['at'])
export class DiscoveryRunEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_discovery_run' })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  source: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'integer' })
  items: number;

  @Column({ type: 'integer' })
  matched: number;

  @Column({ type: 'integer' })
  drifted: number;

  @Column({ type: 'integer' })
  unauthorized: number;
}

/**
 * A difference between the CMDB and what discovery saw that no authorized change explains:
 * an unauthorized change. Open until someone resolves it (or an incident takes it over).
 */
@Entity({ name: 'discovery_finding' })
@Check('ck_discovery_finding_state', `"state" IN ('open','resolved')`)
@Index('ix_discovery_finding_open', ['ciKey', 'field', 'state'])
@Index('ix_discovery_finding_detected_at', ['detectedAt'])
export class DiscoveryFindingEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_discovery_finding' })
  id: string;

  @Column({ name: 'run_id', type: 'bigint' })
  runId: string;

  @ManyToOne(() => DiscoveryRunEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_discovery_finding_run' })
  run?: DiscoveryRunEntity;

  /** Not a foreign key: a CI unknown to the CMDB is itself a finding. */
  @Column({ name: 'ci_key', type: 'varchar', length: 100 })
  ciKey: string;

  @Column({ type: 'varchar', length: 200 })
  field: string;

  @Column({ type: 'jsonb', nullable: true })
  recorded: unknown;

  @Column({ type: 'jsonb', nullable: true })
  discovered: unknown;

  @Column({ type: 'varchar', length: 100 })
  source: string;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt: Date;

  @Column({ type: 'varchar', length: 20, default: 'open' })
  state: 'open' | 'resolved';
}
