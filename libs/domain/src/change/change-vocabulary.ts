/**
 * The words of the change process: its types and states, the plan and its steps, the settings a
 * change workflow starts with. Defined here, below every other layer; libs/contracts builds the
 * workflow inputs and messages from them.
 */
import type { CiStatus } from '../cmdb/cmdb-vocabulary';
import type { SodImplementerMode } from './segregation-of-duties';
import type { ApprovalRecord, PolicySnapshot, RiskAssessment, RuleProgress } from './approval-vocabulary';
import type { Actor } from '../actor';

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
  status?: CiStatus;
  attributes?: Record<string, unknown>;
  artifactSha?: string;
}

export interface ImplementationPlan {
  steps: PlanStep[];
  ciUpdates?: CiUpdate[];
}

/**
 * An `http` step names the credential it needs (`"credential": "deploy-bot"`); the worker holds
 * the values (EXECUTOR_CREDENTIALS) and the plan, the API and the workflow history never do.
 * The API checks the name's shape only, since it cannot know which names a worker holds.
 */
export const CREDENTIAL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
export const CREDENTIAL_NAME_RULE = '1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit';

export interface ChangeTransition {
  from: ChangeState;
  to: ChangeState;
  at: string;
  actor: string;
  reason?: string;
}

/** When the window closes with steps left: roll back, or hold for a change manager. */
export const WINDOW_CLOSE_POLICIES = ['rollback', 'hold'] as const;
export type WindowClosePolicy = (typeof WINDOW_CLOSE_POLICIES)[number];

/**
 * Durations and policies of the change process: parsed from the configuration (libs/config),
 * passed to each change workflow at start.
 */
export interface ChangeProcessSettings {
  /** After this long awaiting approval, missing approvers are reminded. */
  approvalReminderMs: number;
  /** Then the change-manager group is asked to step in. */
  approvalEscalationMs: number;
  /** Then the change expires: rejected with reason `expired`. */
  approvalExpiryMs: number;
  windowClosePolicy: WindowClosePolicy;
  /** Emergency and failed changes owe a review within this time. */
  reviewDueMs: number;
  /**
   * SOD_IMPLEMENTER as recorded on the change at submission: with `distinct` the workflow too
   * refuses the requester's own completion of a manual step or hold decision. Absent in changes
   * started before it existed, whose API checks alone apply.
   */
  sodImplementer?: SodImplementerMode;
}

/** Deterministic workflow id: one workflow per change, so a repeated start is a no-op. */
export function changeWorkflowId(changeId: string): string {
  return `change-${changeId}`;
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

export interface CompleteStepRequest {
  actor: Actor;
  stepId: string;
  outcome: 'succeeded' | 'failed';
  notes: string;
}

/** How a change workflow ends. */
export interface ChangeOutcome {
  changeId: string;
  state: ChangeState;
  reason?: string;
}
