import type { ProblemActionState, ProblemState } from '@steward/contracts';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/**
 * The read model of one problem. Its workflow is the source of truth; activities keep this row
 * current. `openTrigger` is set while the problem is open and cleared when it closes: the unique
 * constraint is what makes "never opens twice for the same trigger" hold under races.
 */
@Entity({ name: 'problem' })
@Unique('uq_problem_number', ['number'])
@Unique('uq_problem_open_trigger', ['openTrigger'])
@Check('ck_problem_state', `"state" IN ('new','investigating','known_error','fix_in_progress','resolved','observation','closed')`)
@Index('ix_problem_state', ['state'])
@Index('ix_problem_signature', ['signature'])
export class ProblemEntity {
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_problem' })
  id: string;

  /** From the sequence problem_number_seq; the id is its formatted form. */
  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'varchar', length: 20 })
  state: ProblemState;

  @Column({ type: 'varchar', length: 200, nullable: true })
  owner: string | null;

  @Column({ name: 'rca_method', type: 'varchar', length: 100, nullable: true })
  rcaMethod: string | null;

  @Column({ type: 'text', nullable: true })
  findings: string | null;

  @Column({ name: 'root_cause', type: 'text', nullable: true })
  rootCause: string | null;

  @Column({ type: 'text', nullable: true })
  workaround: string | null;

  @Column({ name: 'known_error_article_id', type: 'varchar', length: 20, nullable: true })
  knownErrorArticleId: string | null;

  @Column({ name: 'fix_change_id', type: 'varchar', length: 20, nullable: true })
  fixChangeId: string | null;

  /** `<service>|<category>` of the incidents it is about; recurrences attach by it. */
  @Column({ type: 'varchar', length: 201, nullable: true })
  signature: string | null;

  /** What opened it: `{ kind: 'manual' | 'major_incident' | 'recurrence', ... }`. */
  @Column({ type: 'jsonb' })
  trigger: Record<string, unknown>;

  /** `incident:<id>` or `signature:<service>|<category>` while open; null once closed (or opened by hand). */
  @Column({ name: 'open_trigger', type: 'varchar', length: 220, nullable: true })
  openTrigger: string | null;

  @Column({ name: 'reopen_reason', type: 'text', nullable: true })
  reopenReason: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 100 })
  workflowId: string;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'observation_until', type: 'timestamptz', nullable: true })
  observationUntil: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** An incident that belongs to a problem: its trigger, or a recurrence of its signature. */
@Entity({ name: 'problem_incident' })
@Index('ix_problem_incident_incident', ['incidentId'])
export class ProblemIncidentEntity {
  @PrimaryColumn({ name: 'problem_id', type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_problem_incident' })
  problemId: string;

  @PrimaryColumn({ name: 'incident_id', type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_problem_incident' })
  incidentId: string;

  @Column({ type: 'boolean' })
  recurrence: boolean;

  @CreateDateColumn({ name: 'linked_at', type: 'timestamptz' })
  linkedAt: Date;
}

/**
 * A post-incident review action with an owner and a due date. A problem cannot close while one
 * is open; an overdue one is escalated once (`escalatedAt`).
 */
@Entity({ name: 'problem_action' })
@Unique('uq_problem_action_position', ['problemId', 'incidentId', 'position'])
@Check('ck_problem_action_state', `"state" IN ('open','done')`)
@Index('ix_problem_action_owner', ['owner', 'state'])
export class ProblemActionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_problem_action' })
  id: string;

  @Column({ name: 'problem_id', type: 'varchar', length: 20 })
  problemId: string;

  @Column({ name: 'incident_id', type: 'varchar', length: 20 })
  incidentId: string;

  /** Its place in the review: a retried hand-over writes the same rows again, not new ones. */
  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'varchar', length: 200 })
  owner: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'varchar', length: 10, default: 'open' })
  state: ProblemActionState;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt: Date | null;

  @Column({ name: 'done_by', type: 'varchar', length: 200, nullable: true })
  doneBy: string | null;

  @Column({ name: 'escalated_at', type: 'timestamptz', nullable: true })
  escalatedAt: Date | null;
}

/** One entry of a problem's timeline; `eventKey` makes retried writes no-ops. */
@Entity({ name: 'problem_event' })
@Unique('uq_problem_event_key', ['problemId', 'eventKey'])
@Index('ix_problem_event_problem_at', ['problemId', 'at'])
export class ProblemEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_problem_event' })
  id: string;

  @Column({ name: 'problem_id', type: 'varchar', length: 20 })
  problemId: string;

  @Column({ name: 'event_key', type: 'varchar', length: 100 })
  eventKey: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 50 })
  type: string;

  @Column({ type: 'varchar', length: 200 })
  actor: string;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;
}
