import type { PolicySnapshot } from './approval-vocabulary';
import { changeWorkflowId, type ChangeState, type PlanStep, type StepState } from './change-vocabulary';
import { evaluateApprovals, type IdentifiedApproval } from './approval-policy';

/**
 * The rules of layer 3 of the authorization guarantee, in one place: which workflow run may
 * write to a change, when the gate issues an implementation token, when an executor may act on
 * a step (and whether it already did), and what the pipeline gate answers. Pure: persistence
 * loads the facts (rows, recomputed hashes, signature checks, the clock) and stores the outcome.
 */

/** Small allowance for the gap between the workflow's timer and the gate's clock. */
export const CLOCK_SKEW_MS = 5_000;

/**
 * How long after a submission the API may still be recording the run it started (it writes the
 * run id right after the start returns, and the worker can be faster). Past this, a change
 * without a recorded run never gets one: the API failed between the start and the recording.
 */
export const RUN_RECORDING_GRACE_MS = 2 * 60_000;

export type ExecutionPhase = 'action' | 'rollback';

/** The state a change is authorized in, and the only one a pipeline may deploy in. */
export const AUTHORIZED_STATE: ChangeState = 'implementing';
/** The states an executor may run a step's action in (verification steps run while verifying). */
export const EXECUTING_STATES: readonly ChangeState[] = ['implementing', 'verifying'];

// The authorized interval and plan: one set of checks for the gate, executors and pipelines

/** Why an interval does not cover an instant. An empty interval covers none. */
export type IntervalGap = 'closed' | 'not_begun' | 'empty';

/**
 * Whether `now` falls in [start, end): undefined when it does. `skewMs` admits a call that
 * much early (the workflow's timer and the caller's clock disagree a little); never a late one.
 */
export function intervalGap(window: { start: Date | string; end: Date | string }, now: Date, skewMs: number): IntervalGap | undefined {
  const start = new Date(window.start).getTime();
  const end = new Date(window.end).getTime();
  const at = now.getTime();
  if (at >= end) return 'closed';
  if (at < start - skewMs) return 'not_begun';
  if (!(end > start)) return 'empty';
  return undefined;
}

/** A recorded authorization, as far as what it covers goes. */
export interface AuthorizationCover {
  planHash: string;
  windowStart: Date;
  windowEnd: Date;
}

/**
 * Whether a recorded authorization still covers acting now on the stored plan: its interval is
 * open (with `skewMs` allowed before its start) and the stored plan is the one authorized.
 * Executors (`admission`) and pipelines (`pipelineGateRefusals`) both ask this.
 */
export function authorizationCoverage(a: AuthorizationCover, f: { storedPlanHash: string; now: Date; skewMs: number }): { interval: IntervalGap | undefined; planChanged: boolean } {
  return { interval: intervalGap({ start: a.windowStart, end: a.windowEnd }, f.now, f.skewMs), planChanged: f.storedPlanHash !== a.planHash };
}

/** The workflow execution an activity runs for, as the Temporal server says (never its input). */
export interface CallerRun {
  workflowId: string;
  runId: string;
}

// Run binding

export type RunBinding =
  | { verdict: 'bound' }
  /** The API has not recorded its run yet: retry shortly, nothing is refused yet. */
  | { verdict: 'pending'; reason: string }
  /**
   * Refused. `sameWorkflow`: the caller carries the change's own workflow id but is not the run
   * Steward started (a reset, or a workflow started by hand after the recorded one ended): the
   * change needs a change manager's attention.
   */
  | { verdict: 'refused'; reason: string; sameWorkflow: boolean };

/** Whether `caller` is the workflow run Steward started for the change, and so may write to it. */
export function runBinding(input: {
  changeId: string;
  recordedRunId: string | null;
  caller: CallerRun | null;
  submittedAt: Date;
  now: Date;
}): RunBinding {
  const { changeId, caller } = input;
  if (!caller) return { verdict: 'refused', reason: `no workflow run is calling: ${changeId} is written only by the workflow run Steward started`, sameWorkflow: false };
  const expected = changeWorkflowId(changeId);
  if (caller.workflowId !== expected) {
    return { verdict: 'refused', reason: `workflow ${caller.workflowId} is not ${expected}, the workflow of ${changeId}`, sameWorkflow: false };
  }
  if (!input.recordedRunId) {
    if (input.now.getTime() - input.submittedAt.getTime() < RUN_RECORDING_GRACE_MS) {
      return { verdict: 'pending', reason: `the run Steward started for ${changeId} is not recorded yet` };
    }
    return { verdict: 'refused', reason: `no run was ever recorded for ${changeId}: run ${caller.runId} was not started by Steward`, sameWorkflow: true };
  }
  if (caller.runId !== input.recordedRunId) {
    return { verdict: 'refused', reason: `run ${caller.runId} of ${expected} is not the run Steward started (${input.recordedRunId})`, sameWorkflow: true };
  }
  return { verdict: 'bound' };
}

// Authorization (the gate activity)

/** The facts the gate weighs before issuing an implementation token. */
export interface AuthorizationFacts {
  changeId: string;
  state: ChangeState;
  callerRunId: string;
  recordedRunId: string | null;
  /** The hash recomputed from the stored plan, and the hash recorded (and approved) with it. */
  storedPlanHash: string;
  recordedPlanHash: string;
  window: { start: string; end: string };
  now: Date;
  /** The authorization recorded before, if any: a change is authorized once. */
  existing: { runId: string; planHash: string } | null;
}

export type AuthorizationVerdict = { verdict: 'issue' } | { verdict: 'reissue' } | { verdict: 'refused'; reason: string };

/**
 * Whether the gate may issue (or, to a retry of the same run, re-issue) the token. The basis
 * (quorum or template) is judged separately by `authorizationBasis`.
 */
export function authorizationVerdict(f: AuthorizationFacts): AuthorizationVerdict {
  const refused = (reason: string): AuthorizationVerdict => ({ verdict: 'refused', reason });
  if (!f.recordedRunId || f.recordedRunId !== f.callerRunId) return refused(`run ${f.callerRunId} is not the workflow run Steward started for ${f.changeId}`);
  if (f.state !== AUTHORIZED_STATE) return refused(`change ${f.changeId} is ${f.state}, not implementing`);
  if (f.storedPlanHash !== f.recordedPlanHash) return refused('the stored plan does not match its recorded hash');
  if (intervalGap(f.window, f.now, CLOCK_SKEW_MS)) {
    return refused(`now (${f.now.toISOString()}) is outside the interval ${f.window.start} .. ${f.window.end}`);
  }
  if (f.existing) {
    // A retried gate call from the same run gets the same token back; anything else never does.
    if (f.existing.runId === f.callerRunId && f.existing.planHash === f.storedPlanHash) return { verdict: 'reissue' };
    return refused(`change ${f.changeId} was already authorized once; a new execution needs a new change`);
  }
  return { verdict: 'issue' };
}

/** An approval as stored, with whether its Steward signature verified. */
export type VerifiedApproval = IdentifiedApproval & { signature: string; signatureValid: boolean };

export type AuthorizationBasis = { basis: Record<string, unknown> } | { refused: string };

/** What an authorization rests on: the matching standard template, or a quorum of signed approvals. */
export function authorizationBasis(input: {
  type: 'standard' | 'normal' | 'emergency';
  planHash: string;
  requesterId: string;
  /** Standard changes: the template found and how the change deviates from it (undefined: it matches). */
  template?: { templateId: string; version: number; cabApproval: string } | null;
  templateDeviation?: string;
  policy: PolicySnapshot | null;
  /** The change's non-voided approvals for `planHash`, oldest first. */
  approvals: readonly VerifiedApproval[];
}): AuthorizationBasis {
  if (input.type === 'standard') {
    if (input.templateDeviation || !input.template) return { refused: `standard change does not match its template: ${input.templateDeviation ?? 'no active template with that id'}` };
    return { basis: { model: 'standard', templateId: input.template.templateId, templateVersion: input.template.version, cabApproval: input.template.cabApproval } };
  }
  if (!input.policy) return { refused: 'no approval policy was recorded for this change' };
  const forged = input.approvals.find((a) => !a.signatureValid);
  if (forged) return { refused: `the decision of ${forged.approver} does not carry a valid Steward signature` };
  const verdict = evaluateApprovals(input.policy, input.approvals, input.requesterId, input.planHash);
  if (verdict.outcome !== 'approved') {
    return { refused: `the quorum of policy ${input.policy.name} v${input.policy.version} does not hold: ${verdict.missing.join('; ') || verdict.outcome}` };
  }
  return {
    basis: {
      model: input.type,
      policy: { id: input.policy.policyId, version: input.policy.version, name: input.policy.name },
      approvals: input.approvals.map((a) => ({ approver: a.approver, decision: a.decision, at: a.at, signature: a.signature })),
    },
  };
}

// Admission (every executor call)

/** A token's claims, as verified against Steward's key. */
export interface TokenClaims {
  tokenId: string;
  changeId: string;
  planHash: string;
  runId: string;
}

/** What the execution ledger holds for one (change, step, phase). */
export interface LedgerEntry {
  runId: string;
  tokenId: string;
  idempotencyKey: string;
  outcome: 'succeeded' | 'failed' | null;
  detail: string | null;
}

export interface AdmissionFacts {
  changeId: string;
  stepId: string;
  phase: ExecutionPhase;
  caller: CallerRun;
  recordedRunId: string | null;
  claims: TokenClaims;
  state: ChangeState;
  storedPlanHash: string;
  authorization: { tokenId: string; runId: string; planHash: string; windowStart: Date; windowEnd: Date } | null;
  steps: readonly PlanStep[];
  /** The ledger rows of this step: its action and its rollback. */
  ledger: { action: LedgerEntry | null; rollback: LedgerEntry | null };
  now: Date;
}

export type Admission =
  /** Claim the ledger row, then call the executor with this key. */
  | { verdict: 'claim'; step: PlanStep; idempotencyKey: string }
  /** Claimed by this run before, no outcome: the worker died mid-call. Call again, same key. */
  | { verdict: 'resume'; step: PlanStep; idempotencyKey: string }
  /** Already answered: report the recorded outcome, execute nothing. */
  | { verdict: 'recorded'; outcome: 'succeeded' | 'failed'; detail: string }
  | { verdict: 'refused'; reason: string };

/** The idempotency key a target sees: business ids and the plan, never the run. */
export function executionIdempotencyKey(changeId: string, stepId: string, phase: ExecutionPhase, planHash: string): string {
  return `${changeId}:${stepId}:${phase}:${planHash.slice(0, 16)}`;
}

/**
 * Whether an executor may act on a step now, and how. A step's action and its rollback each run
 * at most once: the first admitted call claims the ledger row; whatever calls later gets the
 * recorded outcome (a retry after the answer), the same key again (the same run, after a worker
 * died mid-call), or a refusal. A rollback runs only while the change is rolling back, and only
 * for a step whose action was claimed.
 */
export function admission(f: AdmissionFacts): Admission {
  const refused = (reason: string): Admission => ({ verdict: 'refused', reason });
  if (f.claims.changeId !== f.changeId) return refused(`the token is for ${f.claims.changeId}, not ${f.changeId}`);
  if (!f.authorization) return refused(`change ${f.changeId} has no recorded authorization`);
  const a = f.authorization;
  if (a.tokenId !== f.claims.tokenId || a.runId !== f.claims.runId || a.planHash !== f.claims.planHash) return refused('the token does not match the recorded authorization');
  // The token serves the run it was issued to, and that run must still be the one on record.
  if (f.caller.runId !== a.runId || f.recordedRunId !== a.runId) return refused(`the token was issued to run ${a.runId}, not to run ${f.caller.runId}`);
  const step = f.steps.find((s) => s.id === f.stepId);
  if (!step) return refused(`step ${f.stepId} is not in the authorized plan`);
  if (step.kind !== 'automated') return refused(`step ${f.stepId} is manual: a release engineer performs it`);

  const own = f.ledger[f.phase];
  if (own?.outcome) return { verdict: 'recorded', outcome: own.outcome, detail: own.detail ?? '' };

  // The token's plan is the authorized plan (checked above), so this is the plan it was issued for.
  const cover = authorizationCoverage(a, { storedPlanHash: f.storedPlanHash, now: f.now, skewMs: CLOCK_SKEW_MS });
  if (cover.planChanged) return refused('the plan changed since it was authorized');
  if (f.phase === 'action') {
    if (!EXECUTING_STATES.includes(f.state)) return refused(`change ${f.changeId} is ${f.state}: no step may be executed`);
    // Rollback must stay possible after the interval closed; new actions must not.
    if (cover.interval === 'not_begun') return refused('the authorized interval has not begun');
    if (cover.interval) return refused('the authorized interval has closed');
  } else {
    if (f.state !== 'rolling_back') return refused(`change ${f.changeId} is ${f.state}, not rolling back: no rollback may run`);
    if (!f.ledger.action) return refused(`the action of step ${f.stepId} never ran: there is nothing to roll back`);
  }
  if (own) {
    if (own.runId !== f.caller.runId || own.tokenId !== f.claims.tokenId) return refused(`the ${f.phase} of step ${f.stepId} was claimed by another run`);
    return { verdict: 'resume', step, idempotencyKey: own.idempotencyKey };
  }
  return { verdict: 'claim', step, idempotencyKey: executionIdempotencyKey(f.changeId, f.stepId, f.phase, f.claims.planHash) };
}

// Pipeline gate (GET /api/changes/{id}/gate)

/**
 * What a pipeline is told. Deploys follow the same authorization as executors: the change is
 * implementing, the recorded authorization covers now and the current plan; plus the CI and
 * artifact the pipeline names. Returns every reason it may not (empty: allowed).
 */
export function pipelineGateRefusals(f: {
  state: ChangeState;
  ciKeys: readonly string[];
  storedPlanHash: string;
  recordedPlanHash: string;
  authorization: { planHash: string; windowStart: Date; windowEnd: Date } | null;
  ci: string;
  sha: string | undefined;
  /** The artifact the plan names for `ci`, if any. */
  artifactSha: string | undefined;
  now: Date;
}): string[] {
  const reasons: string[] = [];
  if (f.state !== AUTHORIZED_STATE) reasons.push(`change is ${f.state}, not implementing`);
  if (!f.authorization) reasons.push('change has no recorded authorization');
  else {
    // No early allowance: a pipeline asks after the workflow moved the change to implementing.
    const cover = authorizationCoverage(f.authorization, { storedPlanHash: f.storedPlanHash, now: f.now, skewMs: 0 });
    if (cover.interval) {
      reasons.push(`now is outside the authorized interval ${f.authorization.windowStart.toISOString()} .. ${f.authorization.windowEnd.toISOString()}`);
    }
    if (cover.planChanged || f.storedPlanHash !== f.recordedPlanHash) reasons.push('the plan changed since it was authorized');
  }
  if (!f.ciKeys.includes(f.ci)) reasons.push(`${f.ci} is not one of the change's CIs (${f.ciKeys.join(', ')})`);
  if (f.artifactSha && f.sha !== f.artifactSha) reasons.push(f.sha ? `artifact ${f.sha} is not the authorized ${f.artifactSha}` : `the plan authorizes artifact ${f.artifactSha}: give sha`);
  return reasons;
}

// Step progress and settlement

/** Which step state may follow which; a finished step is never re-opened. */
const NEXT_STEP_STATES: Readonly<Record<StepState, readonly StepState[]>> = {
  pending: ['running', 'waiting', 'skipped'],
  running: ['succeeded', 'failed'],
  waiting: ['succeeded', 'failed'],
  succeeded: ['rolling_back'],
  rolling_back: ['rolled_back', 'rollback_failed'],
  failed: [],
  skipped: [],
  rolled_back: [],
  rollback_failed: [],
};

/** Whether a step may move from `from` (undefined: never recorded, i.e. pending) to `to`. */
export function canMoveStep(from: StepState | undefined, to: StepState): boolean {
  return NEXT_STEP_STATES[from ?? 'pending'].includes(to);
}

/**
 * Whether a change manager may settle a change by hand (mark it failed). Only when the workflow
 * run Steward started can no longer do it itself: it is not running any more (reset, terminated,
 * timed out, failed). Never while that run is alive: it would race the process it settles.
 */
export function settlementRefusal(f: { changeId: string; state: ChangeState; final: boolean; recordedRunRunning: boolean; attention: boolean }): string | undefined {
  if (f.final) return `change ${f.changeId} is ${f.state}: it has ended already`;
  if (f.recordedRunRunning) {
    return f.attention
      ? `change ${f.changeId} is marked for attention, but its recorded workflow run is still running: it settles the change itself`
      : `the workflow run of ${f.changeId} is still running: nothing is stuck`;
  }
  return undefined;
}
