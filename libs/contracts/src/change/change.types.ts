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
  ChangeOutcome,
  ChangeProcessSettings,
  ChangeSnapshot,
  ChangeState,
  ChangeTransition,
  ChangeType,
  CiUpdate,
  CompleteStepRequest,
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

export interface RevisePlanRequest {
  actor: Actor;
  plan: ImplementationPlan;
  backoutPlan: string;
  /** The hash the API computed; the activity recomputes it before storing the plan. */
  planHash: string;
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
