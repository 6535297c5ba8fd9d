/** Payload types shared by the API, the change workflow, its activities and the tests. */
import type {
  Actor,
  ApprovalRecord,
  ChangeProcessSettings,
  ChangeState,
  ChangeTransition,
  ChangeType,
  ImplementationPlan,
  PlanStep,
  PolicySnapshot,
  RiskAssessment,
  RuleProgress,
  StepState,
} from '@steward/domain';

// The change vocabulary lives in libs/domain; these names stay importable from here.
export { CHANGE_STATES, CHANGE_TYPES, STEP_KINDS, STEP_STATES, changeWorkflowId } from '@steward/domain';
export type {
  Actor,
  ChangeProcessSettings,
  ChangeState,
  ChangeTransition,
  ChangeType,
  CiUpdate,
  ImplementationPlan,
  PlanStep,
  StepAction,
  StepKind,
  StepState,
} from '@steward/domain';

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

