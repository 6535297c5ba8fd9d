import type { ApproverIdentity, Decision } from '@steward/contracts';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ChangeRequestEntity } from './change-request.entity';

/** An approval policy, versioned: a change keeps the version that governed it. */
@Entity({ name: 'approval_policy' })
@Unique('uq_approval_policy_version', ['policyId', 'version'])
export class ApprovalPolicyEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_approval_policy' })
  id: string;

  @Column({ name: 'policy_id', type: 'varchar', length: 100 })
  policyId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** ApprovalPolicyDefinition without id/version/name: appliesTo and rule templates. */
  @Column({ type: 'jsonb' })
  definition: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** A CAB decision as the API signed it. Voided, never deleted, when the plan changes. */
@Entity({ name: 'change_approval' })
@Check('ck_change_approval_decision', `"decision" IN ('approve','reject','request_changes')`)
@Index('ix_change_approval_change', ['changeId', 'at'])
@Unique('uq_change_approval_signature', ['signature'])
export class ChangeApprovalEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_change_approval' })
  id: string;

  @Column({ name: 'change_id', type: 'varchar', length: 20 })
  changeId: string;

  @ManyToOne(() => ChangeRequestEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'change_id', foreignKeyConstraintName: 'fk_change_approval_change' })
  change?: ChangeRequestEntity;

  @Column({ name: 'approver_id', type: 'varchar', length: 200 })
  approverId: string;

  @Column({ name: 'approver_name', type: 'varchar', length: 200 })
  approverName: string;

  /** Roles and groups the approver held when deciding, as signed. */
  @Column({ type: 'jsonb' })
  identity: ApproverIdentity;

  @Column({ type: 'varchar', length: 20 })
  decision: Decision;

  @Column({ type: 'text' })
  comment: string;

  @Column({ name: 'plan_hash', type: 'char', length: 64 })
  planHash: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  /** Ed25519, base64url (86 characters); see migration 1764640000000. */
  @Column({ type: 'varchar', length: 128 })
  signature: string;

  @Column({ type: 'boolean', default: false })
  voided: boolean;
}

/** Progress of one plan step (action or rollback), kept by the executor activities. */
@Entity({ name: 'change_step' })
@Check('ck_change_step_state', `"state" IN ('pending','running','waiting','succeeded','failed','skipped','rolling_back','rolled_back','rollback_failed')`)
export class ChangeStepEntity {
  @PrimaryColumn({ name: 'change_id', type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_change_step' })
  changeId: string;

  @PrimaryColumn({ name: 'step_id', type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_change_step' })
  stepId: string;

  @ManyToOne(() => ChangeRequestEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'change_id', foreignKeyConstraintName: 'fk_change_step_change' })
  change?: ChangeRequestEntity;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 20 })
  state: string;

  @Column({ type: 'text', nullable: true })
  detail: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'completed_by', type: 'varchar', length: 200, nullable: true })
  completedBy: string | null;
}

/**
 * The one authorization a change gets: issued by the gate activity to the workflow run
 * recorded on the change, for its plan hash and interval. Executors check tokens against it.
 */
@Entity({ name: 'change_authorization' })
export class ChangeAuthorizationEntity {
  @PrimaryColumn({ name: 'change_id', type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_change_authorization' })
  changeId: string;

  @ManyToOne(() => ChangeRequestEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'change_id', foreignKeyConstraintName: 'fk_change_authorization_change' })
  change?: ChangeRequestEntity;

  @Column({ name: 'token_id', type: 'varchar', length: 64 })
  tokenId: string;

  @Column({ name: 'run_id', type: 'varchar', length: 64 })
  runId: string;

  @Column({ name: 'plan_hash', type: 'char', length: 64 })
  planHash: string;

  @Column({ name: 'window_start', type: 'timestamptz' })
  windowStart: Date;

  @Column({ name: 'window_end', type: 'timestamptz' })
  windowEnd: Date;

  /** How the change was authorized: the policy and approvals, or the standard template. */
  @Column({ type: 'jsonb' })
  basis: Record<string, unknown>;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;
}

/** A pre-approved template for standard changes, itself approved by the CAB, versioned. */
@Entity({ name: 'change_template' })
@Unique('uq_change_template_version', ['templateId', 'version'])
export class ChangeTemplateEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_change_template' })
  id: string;

  @Column({ name: 'template_id', type: 'varchar', length: 100 })
  templateId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The CIs it may be used on. */
  @Column({ name: 'ci_keys', type: 'text', array: true })
  ciKeys: string[];

  /** The exact steps a request must carry (canonical comparison). */
  @Column({ type: 'jsonb' })
  steps: Record<string, unknown>[];

  /** The CAB approval the template rests on (meeting, decision reference). */
  @Column({ name: 'cab_approval', type: 'varchar', length: 200 })
  cabApproval: string;

  @Column({ name: 'approved_by', type: 'varchar', length: 200 })
  approvedBy: string;

  @Column({ name: 'approved_at', type: 'timestamptz' })
  approvedAt: Date;

  @Column({ type: 'boolean', default: true })
  active: boolean;
}

/** A change that ended rolled back or failed: what the incident module picks up. */
@Entity({ name: 'change_failure' })
export class ChangeFailureEntity {
  @PrimaryColumn({ name: 'change_id', type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_change_failure' })
  changeId: string;

  @ManyToOne(() => ChangeRequestEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'change_id', foreignKeyConstraintName: 'fk_change_failure_change' })
  change?: ChangeRequestEntity;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ name: 'end_state', type: 'varchar', length: 20 })
  endState: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'failed_step', type: 'varchar', length: 64, nullable: true })
  failedStep: string | null;

  /** At least one affected CI is in production. */
  @Column({ type: 'boolean' })
  production: boolean;

  @Column({ name: 'incident_id', type: 'varchar', length: 20, nullable: true })
  incidentId: string | null;
}

/** In-app notifications (reminders, escalations), listed per recipient user or group. */
@Entity({ name: 'notification' })
@Index('ix_notification_recipient', ['recipient', 'createdAt'])
export class NotificationEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_notification' })
  id: string;

  /** `user:<id>` or `group:<name>`. */
  @Column({ type: 'varchar', length: 200 })
  recipient: string;

  @Column({ type: 'varchar', length: 50 })
  kind: string;

  @Column({ type: 'text' })
  message: string;

  @Column({ name: 'change_id', type: 'varchar', length: 20, nullable: true })
  changeId: string | null;

  @Column({ name: 'incident_id', type: 'varchar', length: 20, nullable: true })
  incidentId: string | null;

  @Column({ name: 'problem_id', type: 'varchar', length: 20, nullable: true })
  problemId: string | null;

  /** Deduplicates retried activities: one notification per key. */
  @Column({ name: 'dedupe_key', type: 'varchar', length: 200 })
  @Index('uq_notification_dedupe', { unique: true })
  dedupeKey: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

