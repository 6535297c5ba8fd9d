import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';

/** A pipeline that calls Steward with API keys: scoped, optionally restricted to CIs. */
@Entity({ name: 'service_account' })
@Unique('uq_service_account_name', ['name'])
@Check('ck_service_account_scopes', `cardinality("scopes") > 0 AND "scopes" <@ ARRAY['change:submit','change:read','gate:read','step:complete']::text[]`)
export class ServiceAccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_service_account' })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', array: true })
  scopes: string[];

  /** null: any CI. */
  @Column({ name: 'ci_keys', type: 'text', array: true, nullable: true })
  ciKeys: string[] | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One API key of a service account. Only the SHA-256 of the key is stored. */
@Entity({ name: 'api_key' })
@Unique('uq_api_key_hash', ['keyHash'])
@Index('ix_api_key_account', ['accountId'])
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_api_key' })
  id: string;

  @Column({ name: 'account_id', type: 'varchar', length: 40 })
  accountId: string;

  @ManyToOne(() => ServiceAccountEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'fk_api_key_account' })
  account?: ServiceAccountEntity;

  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_by', type: 'varchar', length: 200, nullable: true })
  revokedBy: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
