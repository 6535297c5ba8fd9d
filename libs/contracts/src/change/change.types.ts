/** Payload types shared by the API, the change workflow, its activities and the tests. */
import type { ApprovalRecord, PolicySnapshot, RiskAssessment, RuleProgress } from './approval.types';

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_STATES = [
  'submitted',
  'assessing',
  'awaiting_approval',
  'changes_requested',
  'scheduled',
  'implementing',
  'verifying',
  'rolling_back',
  'completed',
  'rolled_back',
  'rejected',
  'cancelled',
  'failed',
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export const STEP_KINDS = ['automated', 'manual'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_STATES = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
  'rolling_back',
  'rolled_back',
  'rollback_failed',
] as const;
export type StepState = (typeof STEP_STATES)[number];

/** An executor call (`{ executor: 'http' | 'simulated', ... }`) or manual instructions. */
export type StepAction = Record<string, unknown>;

export interface PlanStep {
  id: string;
  name: string;
  kind: StepKind;
  action: StepAction;
  rollback: StepAction;
  estimatedMinutes: number;
  /** A check run in the verifying phase, after every implementation step succeeded. */
  verification?: boolean;
}

/**
 * What the CMDB will record of a CI once the change completes. Discovery accepts the same
 * values as authorized; the deployment gate checks `artifactSha` against what a pipeline ships.
 */
export interface CiUpdate {
  ci: string;
  version?: string;
  status?: 'planned' | 'active' | 'maintenance' | 'retired';
  attributes?: Record<string, unknown>;
  artifactSha?: string;
}

export interface ImplementationPlan {
  steps: PlanStep[];
  ciUpdates?: CiUpdate[];
}

export interface Actor {
  id: string;
  name: string;
}

/**
 * What the change workflow is started with. Everything the process needs is in here or in
 * the database, so the workflow never depends on the API being up.
 */
export interface ChangeWorkflowInput {
  changeId: string;
  type: ChangeType;
  title: string;
  requester: Actor;
  ciKeys: string[];
  planHash: string;
  /** The steps as submitted; a plan revision replaces them. */
  steps: PlanStep[];
  settings: ChangeProcessSettings;
}

/** Durations and policies of the change process: configuration, passed in at start. */
export interface ChangeProcessSettings {
  /** After this long awaiting approval, missing approvers are reminded. */
  approvalReminderMs: number;
  /** Then the change-manager group is asked to step in. */
  approvalEscalationMs: number;
  /** Then the change expires: rejected with reason `expired`. */
  approvalExpiryMs: number;
  /** When the window closes with steps left: roll back, or hold for a change manager. */
  windowClosePolicy: 'rollback' | 'hold';
  /** Emergency and failed changes owe a review within this time. */
  reviewDueMs: number;
  /**
   * SOD_IMPLEMENTER as recorded on the change at submission: with `distinct` the workflow too
   * refuses the requester's own completion of a manual step or hold decision. Absent in changes
   * started before it existed, whose API checks alone apply.
   */
  sodImplementer?: 'distinct' | 'any';
}

export interface ChangeTransition {
  from: ChangeState;
  to: ChangeState;
  at: string;
  actor: string;
  reason?: string;
}

/** What the workflow answers to the state query: the live view of one change. */
export interface ChangeSnapshot {
  changeId: string;
  state: ChangeState;
  planHash: string;
  transitions: ChangeTransition[];
  risk?: RiskAssessment;
  policy?: PolicySnapshot;
  approvals: ApprovalRecord[];
  rules: RuleProgress[];
  schedule?: { start: string; end: string; reason: string };
  steps: Array<{ id: string; state: StepState; detail?: string }>;
  /** What the change waits for now, in words (a step completion, a window, approvals). */
  waitingFor?: string;
  endReason?: string;
}

export interface RevisePlanRequest {
  actor: Actor;
  plan: ImplementationPlan;
  backoutPlan: string;
  /** The hash the API computed; the activity recomputes it before storing the plan. */
  planHash: string;
}

export interface CompleteStepRequest {
  actor: Actor;
  stepId: string;
  outcome: 'succeeded' | 'failed';
  notes: string;
}

export interface RescheduleRequest {
  actor: Actor;
  window: { start: string; end: string };
}

export interface ResolveHoldRequest {
  actor: Actor;
  action: 'rollback' | 'continue';
}

export interface CancelChangeRequest {
  actor: Actor;
  reason: string;
}

export interface ChangeOutcome {
  changeId: string;
  state: ChangeState;
  reason?: string;
}

/** Deterministic workflow id: one workflow per change, so a repeated start is a no-op. */
export function changeWorkflowId(changeId: string): string {
  return `change-${changeId}`;
}
