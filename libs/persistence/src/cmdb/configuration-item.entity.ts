import { CI_STATUSES, type CiStatus } from '@steward/domain';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const CI_TYPES = ['service', 'application', 'host', 'database', 'network', 'other'] as const;
export type CiType = (typeof CI_TYPES)[number];
export const CI_ENVIRONMENTS = ['production', 'staging', 'development'] as const;
export type CiEnvironment = (typeof CI_ENVIRONMENTS)[number];
// The CI statuses are one list in libs/domain; still importable from here.
export { CI_STATUSES, type CiStatus };

/** A configuration item of the CMDB: what changes touch and incidents hurt. */
@Entity({ name: 'configuration_item' })
@Check('ck_configuration_item_type', `"type" IN ('service','application','host','database','network','other')`)
@Check('ck_configuration_item_environment', `"environment" IN ('production','staging','development')`)
@Check('ck_configuration_item_status', `"status" IN (${CI_STATUSES.map((status) => `'${status}'`).join(',')})`)
@Check('ck_configuration_item_criticality', `"criticality" BETWEEN 1 AND 4`)
@Check('ck_configuration_item_users_affected', `"users_affected" >= 0`)
@Index('ix_configuration_item_type_environment', ['type', 'environment'])
export class ConfigurationItemEntity {
  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_configuration_item' })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 20 })
  type: CiType;

  @Column({ type: 'varchar', length: 20 })
  environment: CiEnvironment;

  /** 1 is the most critical. */
  @Column({ type: 'smallint' })
  criticality: number;

  @Column({ name: 'owner_group', type: 'varchar', length: 100 })
  ownerGroup: string;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status: CiStatus;

  @Column({ type: 'varchar', length: 100, nullable: true })
  version: string | null;

  @Column({ name: 'users_affected', type: 'integer', default: 0 })
  usersAffected: number;

  @Column({ type: 'jsonb', default: {} })
  attributes: Record<string, unknown>;

  /** GIN-indexed in the migration, for scoping windows and freezes by tag. */
  @Index('ix_configuration_item_tags', { synchronize: false })
  @Column({ type: 'text', array: true, default: '{}' })
  tags: string[];

  /** When a discovery source last reported this CI; null if never. */
  @Column({ name: 'last_discovered_at', type: 'timestamptz', nullable: true })
  lastDiscoveredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
