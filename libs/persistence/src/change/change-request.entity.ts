import type { ChangeState, ChangeType, ImplementationPlan, PolicySnapshot, RiskAssessment } from '@steward/contracts';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';

/**
 * The read model of one change request. The workflow is the source of truth for its
 * progress; activities keep this row current so that lists and reports are plain SQL.
 */
@Entity({ name: 'change_request' })
@Unique('uq_change_request_number', ['number'])
@Unique('uq_change_request_workflow_id', ['workflowId'])
@Check('ck_change_request_type', `"type" IN ('standard','normal','emergency')`)
@Check(
  'ck_change_request_state',
  `"state" IN ('submitted','assessing','awaiting_approval','changes_requested','scheduled','implementing','verifying','rolling_back','completed','rolled_back','rejected','cancelled','failed')`,
)
@Check('ck_change_request_sod_implementer', `"sod_implementer" IN ('distinct','any')`)
@Check('ck_change_request_window', `"requested_window_end" IS NULL OR "requested_window_end" > "requested_window_start"`)
@Index('ix_change_request_state', ['state'])
@Index('ix_change_request_created_at', ['createdAt'])
@Index('ix_change_request_schedule', ['scheduleStart', 'scheduleEnd'])
export class ChangeRequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_change_request' })
  id: string;

  /** From the sequence change_request_number_seq; the id is its formatted form. */
  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'varchar', length: 20 })
  type: ChangeType;

  @Column({ name: 'template_id', type: 'varchar', length: 100, nullable: true })
  templateId: string | null;

  @Column({ type: 'text' })
  justification: string;

  @Index('ix_change_request_ci_keys', { synchronize: false })
  @Column({ name: 'ci_keys', type: 'text', array: true })
  ciKeys: string[];

  @Column({ type: 'jsonb' })
  plan: ImplementationPlan;

  /** sha256 of the canonical plan and backout plan: approvals are bound to it. */
  @Column({ name: 'plan_hash', type: 'char', length: 64 })
  planHash: string;

  @Column({ name: 'backout_plan', type: 'text' })
  backoutPlan: string;

  @Column({ name: 'test_evidence', type: 'text', nullable: true })
  testEvidence: string | null;

  @Column({ name: 'requested_window_start', type: 'timestamptz', nullable: true })
  requestedWindowStart: Date | null;

  @Column({ name: 'requested_window_end', type: 'timestamptz', nullable: true })
  requestedWindowEnd: Date | null;

  @Column({ type: 'varchar', length: 30 })
  state: ChangeState;

  @Column({ name: 'requester_id', type: 'varchar', length: 200 })
  requesterId: string;

  @Column({ name: 'requester_name', type: 'varchar', length: 200 })
  requesterName: string;

  /** SOD_IMPLEMENTER as it was when the change was submitted: the setting this change follows. */
  @Column({ name: 'sod_implementer', type: 'varchar', length: 10, default: 'distinct' })
  sodImplementer: 'distinct' | 'any';

  @Column({ name: 'workflow_id', type: 'varchar', length: 100 })
  workflowId: string;

  @Column({ name: 'closure_code', type: 'varchar', length: 50, nullable: true })
  closureCode: string | null;

  /** Run id of the workflow execution the API started: the only run the gate authorizes. */
  @Column({ name: 'workflow_run_id', type: 'varchar', length: 64, nullable: true })
  workflowRunId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  risk: RiskAssessment | null;

  /** The approval policy, resolved and frozen when the change was assessed. */
  @Column({ name: 'policy_snapshot', type: 'jsonb', nullable: true })
  policySnapshot: PolicySnapshot | null;

  /** Why the change ended as it did (rejected: expired, ...). */
  @Column({ name: 'end_reason', type: 'text', nullable: true })
  endReason: string | null;

  /** Emergency and failed changes owe a post-implementation review by this time. */
  @Column({ name: 'review_due_at', type: 'timestamptz', nullable: true })
  reviewDueAt: Date | null;

  /** The post-implementation review, once recorded. */
  @Column({ type: 'jsonb', nullable: true })
  review: { summary: string; lessons: string; reviewedBy: string; reviewedAt: string } | null;

  /** The interval the change is scheduled in (set once authorized and scheduled). */
  @Column({ name: 'schedule_start', type: 'timestamptz', nullable: true })
  scheduleStart: Date | null;

  @Column({ name: 'schedule_end', type: 'timestamptz', nullable: true })
  scheduleEnd: Date | null;

  /** When the change ended `completed`: discovery accepts drift its plan explains after this. */
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /**
   * Why a change manager should look at this change: a workflow run with the change's workflow
   * id but not the recorded run called it (a reset, or a workflow started by hand). Cleared
   * when the change is settled.
   */
  @Column({ name: 'attention_reason', type: 'text', nullable: true })
  attentionReason: string | null;

  @Column({ name: 'attention_at', type: 'timestamptz', nullable: true })
  attentionAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
