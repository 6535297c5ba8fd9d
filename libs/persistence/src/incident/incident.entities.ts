import type { IncidentSnapshot, IncidentSource, IncidentState, PostIncidentReview } from '@steward/contracts';
import type { BusinessCalendar, EscalationLevel, IncidentClassification, Priority } from '@steward/domain';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/**
 * The read model of one incident. Its workflow is the source of truth; activities keep this row
 * current so lists are plain SQL. The facts (opened, acknowledged, breached, resolved...) are in
 * incident_event, which reports read and which nothing may rewrite.
 */
@Entity({ name: 'incident' })
@Unique('uq_incident_number', ['number'])
@Unique('uq_incident_workflow_id', ['workflowId'])
@Check('ck_incident_state', `"state" IN ('new','in_progress','pending','resolved','closed')`)
@Check('ck_incident_priority', `"priority" IN ('P1','P2','P3','P4','P5')`)
@Check('ck_incident_levels', `"impact" BETWEEN 1 AND 3 AND "reported_impact" BETWEEN 1 AND 3 AND "urgency" BETWEEN 1 AND 3`)
@Index('ix_incident_state', ['state'])
@Index('ix_incident_signature', ['serviceKey', 'category', 'openedAt'])
export class IncidentEntity {
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_incident' })
  id: string;

  /** From the sequence incident_number_seq; the id is its formatted form. */
  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: string;

  /** The affected service: a CI key. */
  @Column({ name: 'service_key', type: 'varchar', length: 100 })
  serviceKey: string;

  /** With the service, the signature that recurring-incident problems are counted by. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  category: string | null;

  @Column({ name: 'reported_impact', type: 'smallint' })
  reportedImpact: number;

  @Column({ type: 'smallint' })
  impact: number;

  @Column({ type: 'smallint' })
  urgency: number;

  @Column({ type: 'varchar', length: 2 })
  priority: Priority;

  @Column({ type: 'boolean' })
  major: boolean;

  /** The classification with the CMDB rule that raised the impact, as shown to users. */
  @Column({ type: 'jsonb' })
  classification: IncidentClassification;

  @Column({ type: 'varchar', length: 20 })
  state: IncidentState;

  @Column({ type: 'varchar', length: 30 })
  source: IncidentSource;

  @Column({ name: 'reported_by', type: 'varchar', length: 200 })
  reportedBy: string;

  /** Accepted from callers and stored for the record; never an input to priority (principle 1). */
  @Column({ name: 'caller_vip', type: 'boolean', default: false })
  callerVip: boolean;

  @Column({ type: 'varchar', length: 200, nullable: true })
  commander: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  resolvers: string[];

  @Column({ name: 'escalation_policy_id', type: 'varchar', length: 100 })
  escalationPolicyId: string;

  @Column({ name: 'escalation_policy_version', type: 'integer' })
  escalationPolicyVersion: number;

  @Column({ name: 'escalation_level', type: 'integer', default: 0 })
  escalationLevel: number;

  /**
   * What opened it from outside (an Alertmanager fingerprint, `change-failure:CHG-…`,
   * `finding:<id>`): repeats update the open incident, never duplicate it. Once the incident is
   * closed, the same source firing again is a new incident.
   */
  @Column({ name: 'alert_fingerprint', type: 'varchar', length: 100, nullable: true })
  @Index('uq_incident_alert_fingerprint', { unique: true, where: '"closed_at" IS NULL' })
  alertFingerprint: string | null;

  @Column({ name: 'change_id', type: 'varchar', length: 20, nullable: true })
  changeId: string | null;

  @Column({ name: 'finding_id', type: 'bigint', nullable: true })
  findingId: string | null;

  @Column({ name: 'problem_id', type: 'varchar', length: 20, nullable: true })
  problemId: string | null;

  @Column({ type: 'text', nullable: true })
  resolution: string | null;

  @Column({ type: 'jsonb', nullable: true })
  review: PostIncidentReview | null;

  /** The workflow's last snapshot (clocks, escalation, handover): what GET shows once the workflow has ended. */
  @Column({ type: 'jsonb', nullable: true })
  snapshot: IncidentSnapshot | null;

  @Column({ name: 'workflow_id', type: 'varchar', length: 100 })
  workflowId: string;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * One fact of an incident's life. Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE):
 * SLA attainment, MTTA and MTTR are computed from these rows only, so they cannot be edited.
 */
@Entity({ name: 'incident_event' })
@Unique('uq_incident_event_key', ['incidentId', 'eventKey'])
@Index('ix_incident_event_incident_at', ['incidentId', 'at'])
@Index('ix_incident_event_type_at', ['type', 'at'])
export class IncidentEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_incident_event' })
  id: string;

  @Column({ name: 'incident_id', type: 'varchar', length: 20 })
  incidentId: string;

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

/**
 * An escalation policy version (data, never code). `serviceKey` null is the default policy;
 * an edit is a new version, and an incident stays pinned to the version it opened under.
 */
@Entity({ name: 'escalation_policy' })
@Unique('uq_escalation_policy_version', ['policyId', 'version'])
@Index('ix_escalation_policy_service', ['serviceKey'])
export class EscalationPolicyEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_escalation_policy' })
  id: string;

  @Column({ name: 'policy_id', type: 'varchar', length: 100 })
  policyId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The service (CI key) it covers; null: every service without its own policy. */
  @Column({ name: 'service_key', type: 'varchar', length: 100, nullable: true })
  serviceKey: string | null;

  @Column({ type: 'jsonb' })
  levels: EscalationLevel[];

  @Column({ type: 'integer' })
  repeat: number;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/**
 * SLA targets for one priority, for one service or (serviceKey null) every service without its
 * own. Versioned: an edit adds a row; an incident records which version it ran on.
 */
@Entity({ name: 'sla_definition' })
@Unique('uq_sla_definition_version', ['scope', 'priority', 'version'])
@Check('ck_sla_definition_priority', `"priority" IN ('P1','P2','P3','P4','P5')`)
@Check('ck_sla_definition_targets', `("response_ms" IS NULL OR "response_ms" > 0) AND ("resolution_ms" IS NULL OR "resolution_ms" > 0)`)
export class SlaDefinitionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_sla_definition' })
  id: string;

  /** `default` or a service (CI key). */
  @Column({ type: 'varchar', length: 100 })
  scope: string;

  @Column({ type: 'varchar', length: 2 })
  priority: Priority;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'response_ms', type: 'bigint', nullable: true })
  responseMs: string | null;

  @Column({ name: 'resolution_ms', type: 'bigint', nullable: true })
  resolutionMs: string | null;

  /** Whether the targets count business hours only (on `calendar`, else the standard calendar). */
  @Column({ name: 'business_hours', type: 'boolean' })
  businessHours: boolean;

  @Column({ type: 'jsonb', nullable: true })
  calendar: BusinessCalendar | null;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** The CMDB rules that raise an incident's impact (data; shown with each classification). */
@Entity({ name: 'impact_rule' })
@Check('ck_impact_rule_raise_to', `"raise_to" BETWEEN 1 AND 3`)
export class ImpactRuleEntity {
  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_impact_rule' })
  id: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'max_criticality', type: 'integer', nullable: true })
  maxCriticality: number | null;

  @Column({ name: 'min_users_affected', type: 'integer', nullable: true })
  minUsersAffected: number | null;

  @Column({ name: 'raise_to', type: 'smallint' })
  raiseTo: number;
}
