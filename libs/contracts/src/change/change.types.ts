/** Payload types shared by the API, the change workflow, its activities and the tests. */

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
  stepIds: string[];
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
