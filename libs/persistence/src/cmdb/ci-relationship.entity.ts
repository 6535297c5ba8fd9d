import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ConfigurationItemEntity } from './configuration-item.entity';

export const RELATIONSHIP_TYPES = ['depends_on', 'runs_on', 'part_of'] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

/** `source <type> target`: e.g. app-payments-api depends_on db-payments. Cycles are allowed. */
@Entity({ name: 'ci_relationship' })
@Unique('uq_ci_relationship', ['sourceKey', 'type', 'targetKey'])
@Check('ck_ci_relationship_type', `"type" IN ('depends_on','runs_on','part_of')`)
@Check('ck_ci_relationship_not_self', `"source_key" <> "target_key"`)
@Index('ix_ci_relationship_target', ['targetKey', 'type'])
export class CiRelationshipEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_ci_relationship' })
  id: string;

  @Column({ name: 'source_key', type: 'varchar', length: 100 })
  sourceKey: string;

  @ManyToOne(() => ConfigurationItemEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'source_key', foreignKeyConstraintName: 'fk_ci_relationship_source' })
  source?: ConfigurationItemEntity;

  @Column({ type: 'varchar', length: 20 })
  type: RelationshipType;

  @Column({ name: 'target_key', type: 'varchar', length: 100 })
  targetKey: string;

  @ManyToOne(() => ConfigurationItemEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'target_key', foreignKeyConstraintName: 'fk_ci_relationship_target' })
  target?: ConfigurationItemEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
