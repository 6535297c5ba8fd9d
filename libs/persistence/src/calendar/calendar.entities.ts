import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A recurring window in which changes to the CIs in its scope may run. */
@Entity({ name: 'maintenance_window' })
@Check('ck_maintenance_window_duration', `"duration_minutes" BETWEEN 1 AND 10080`)
export class MaintenanceWindowEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_maintenance_window' })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** RFC 5545: a DTSTART in local wall time and an RRULE. */
  @Column({ type: 'text' })
  rrule: string;

  @Column({ name: 'duration_minutes', type: 'integer' })
  durationMinutes: number;

  /** IANA zone the DTSTART wall time is in. */
  @Column({ type: 'varchar', length: 64 })
  timezone: string;

  @Column({ name: 'scope_cis', type: 'text', array: true, default: '{}' })
  scopeCis: string[];

  @Column({ name: 'scope_tags', type: 'text', array: true, default: '{}' })
  scopeTags: string[];

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** An absolute period in which changes to the CIs in its scope may not run. */
@Entity({ name: 'change_freeze' })
@Check('ck_change_freeze_range', `"end_at" > "start_at"`)
@Index('ix_change_freeze_range', ['startAt', 'endAt'])
export class ChangeFreezeEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_change_freeze' })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'start_at', type: 'timestamptz' })
  startAt: Date;

  @Column({ name: 'end_at', type: 'timestamptz' })
  endAt: Date;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'scope_cis', type: 'text', array: true, default: '{}' })
  scopeCis: string[];

  @Column({ name: 'scope_tags', type: 'text', array: true, default: '{}' })
  scopeTags: string[];

  @Column({ name: 'allow_emergency', type: 'boolean', default: false })
  allowEmergency: boolean;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
