import type { ApprovalRecord, PolicySnapshot, RiskAssessment, SignedDecision } from './approval-vocabulary';
import type { ChangeOutcome, ChangeProcessSettings, ChangeSnapshot, ChangeState, ChangeTransition, CompleteStepRequest, PlanStep, StepState } from './change-vocabulary';
import { evaluateApprovals, voteRefusal, type ApprovalEvaluation, type VoteRefusalReason } from './approval-policy';
import { ChangeLifecycle } from './change-lifecycle';
import { approvalRecord, castVote, identifiedApproval, type CastVote } from './approval-record';
import { implementationSodRefusal } from './segregation-of-duties';

/** States in which the plan may still be edited: nothing has been touched yet. */
export const EDITABLE_CHANGE_STATES: readonly ChangeState[] = ['assessing', 'awaiting_approval', 'changes_requested', 'scheduled'];
/** States in which the change may still be given another window. */
export const RESCHEDULABLE_CHANGE_STATES: readonly ChangeState[] = ['submitted', ...EDITABLE_CHANGE_STATES];

/** Which rule refused a message; callers tell refusals apart by this, never by their words. */
export type ChangeRefusalReason =
  | VoteRefusalReason
  | 'wrong_change'
  | 'plan_not_editable'
  | 'plan_incomplete'
  | 'plan_unchanged'
  | 'step_not_waiting'
  | 'outcome_invalid'
  | 'not_reschedulable'
  | 'window_invalid'
  | 'not_held'
  | 'cancel_incomplete'
  | 'not_cancellable';

/** A refused message: `code` is the StewardError code the API answers with (403/409/400). */
export interface ChangeRefusal {
  code: 'forbidden' | 'conflict' | 'invalid';
  reason: ChangeRefusalReason;
  message: string;
}

export type StepPhase = 'action' | 'rollback';
export type ScheduledInterval = { start: string; end: string; reason: string };
export type RequestedWindow = { start: string; end: string };

export interface ChangeCaseInput {
  changeId: string;
  requesterId: string;
  planHash: string;
  steps: PlanStep[];
  settings: Pick<ChangeProcessSettings, 'windowClosePolicy' | 'sodImplementer'>;
  /** Changes started before the plan-author rule counted a plan author's vote (their histories must replay). */
  planAuthorsMayNotApprove: boolean;
}

const refusal = (code: ChangeRefusal['code'], reason: ChangeRefusalReason, message: string): ChangeRefusal => ({ code, reason, message });

/**
 * The rules of one change as its workflow holds it: the lifecycle, the plan and who wrote it,
 * the votes and their voiding, the window and what happens when it closes, the steps. Each
 * `…Refusal` says why a message must be refused (checked in update validators, so a refused
 * message never enters history); the matching act assumes its check passed. Timers, waits and
 * activities are the workflow's; this class never does I/O and takes the time as an argument.
 */
export class ChangeCase {
  private readonly lifecycle: ChangeLifecycle;
  private currentPlanHash: string;
  private currentSteps: PlanStep[];
  // Who revised the plan the change now carries: they may not approve it (segregation of duties).
  private planAuthor: string | undefined;
  private risk: RiskAssessment | undefined;
  private policy: PolicySnapshot | undefined;
  private standard = false;
  private readonly decisions: Array<{ decision: SignedDecision; voided: boolean }> = [];
  // Approvers whose decision is being checked and recorded: one decision per approver at a time.
  private readonly deciding = new Set<string>();
  private approvalDeadline: Date | undefined;
  private interval: ScheduledInterval | undefined;
  private requested: RequestedWindow | undefined;
  private readonly stepStates = new Map<string, { state: StepState; detail?: string }>();
  private awaitingManual: { stepId: string; phase: StepPhase } | undefined;
  private readonly manualResults = new Map<string, CompleteStepRequest>();
  private holding = false;
  private holdDecision: 'rollback' | 'continue' | undefined;
  private endReason: string | undefined;
  /** What the change waits for now, in words for people. */
  waitingFor: string | undefined;

  constructor(private readonly input: ChangeCaseInput) {
    this.lifecycle = new ChangeLifecycle(input.changeId, input.planHash);
    this.currentPlanHash = input.planHash;
    this.currentSteps = input.steps;
    this.resetSteps();
  }

  get changeId(): string {
    return this.input.changeId;
  }
  get state(): ChangeState {
    return this.lifecycle.state;
  }
  get isFinal(): boolean {
    return this.lifecycle.isFinal;
  }
  get transitions(): readonly ChangeTransition[] {
    return this.lifecycle.transitions;
  }
  get planHash(): string {
    return this.currentPlanHash;
  }
  get steps(): readonly PlanStep[] {
    return this.currentSteps;
  }
  get standardAuthorized(): boolean {
    return this.standard;
  }
  get schedule(): ScheduledInterval | undefined {
    return this.interval;
  }
  get requestedWindow(): RequestedWindow | undefined {
    return this.requested;
  }
  get assessedPolicy(): PolicySnapshot | undefined {
    return this.policy;
  }

  // Lifecycle

  /** Moves the change; returns the transition and its sequence number for the timeline. */
  moveTo(to: ChangeState, at: Date, actor: string, reason?: string): { transition: ChangeTransition; sequence: number } {
    const transition = this.lifecycle.moveTo(to, at, actor, reason);
    if (this.lifecycle.isFinal) this.endReason = reason;
    return { transition, sequence: this.lifecycle.transitions.length };
  }

  cancelRefusal(request: { actor?: { id?: string }; reason?: string }): ChangeRefusal | undefined {
    if (!request?.actor?.id || !request.reason?.trim()) return refusal('invalid', 'cancel_incomplete', 'a cancel needs an actor and a reason');
    const refused = this.lifecycle.cancelRefusal();
    return refused ? refusal('conflict', 'not_cancellable', refused) : undefined;
  }

  outcome(): ChangeOutcome {
    return { changeId: this.changeId, state: this.state, ...(this.endReason ? { reason: this.endReason } : {}) };
  }

  // Assessment and approval

  assessed(assessment: { risk: RiskAssessment; policy?: PolicySnapshot; standardAuthorized: boolean }): void {
    this.risk = assessment.risk;
    this.policy = assessment.policy;
    this.standard = assessment.standardAuthorized;
  }

  /** Votes are taken until `now + expiryMs`; the deadline exists before the state says votes are welcome. */
  openApproval(now: number, expiryMs: number): Date {
    this.approvalDeadline = new Date(now + expiryMs);
    return this.approvalDeadline;
  }

  approvalRecords(): ApprovalRecord[] {
    return this.votes().map(approvalRecord);
  }

  evaluation(): ApprovalEvaluation | undefined {
    if (!this.policy) return undefined;
    return evaluateApprovals(this.policy, this.votes().map(identifiedApproval), this.input.requesterId, this.currentPlanHash);
  }

  private votes(): CastVote[] {
    return this.decisions.map(({ decision, voided }) => castVote(decision, voided));
  }

  /** One line per rule that still needs votes. */
  missingApprovals(): string[] {
    return this.evaluation()?.missing ?? [];
  }

  /** The decision counted last: its voter and comment name a rejection or a request for changes. */
  lastDecision(): SignedDecision | undefined {
    return this.decisions[this.decisions.length - 1]?.decision;
  }

  /** A decision is being checked and recorded; the approval outcome is not final until it is. */
  get decisionInFlight(): boolean {
    return this.deciding.size > 0;
  }

  /** Why this decision may not be counted now, or undefined when it may. */
  decisionRefusal(decision: SignedDecision): ChangeRefusal | undefined {
    if (decision?.changeId !== this.changeId) return refusal('invalid', 'wrong_change', `the decision is for ${decision?.changeId}, not ${this.changeId}`);
    if (!this.policy) return refusal('conflict', 'not_awaiting_approval', `change is ${this.state}, not awaiting approval`);
    if (this.deciding.has(decision.approver?.id)) return refusal('conflict', 'already_voted', `${decision.approver.id} has already voted on this plan`);
    return voteRefusal({
      snapshot: this.policy,
      approver: decision.approver,
      requesterId: this.input.requesterId,
      planAuthors: this.input.planAuthorsMayNotApprove && this.planAuthor ? [this.planAuthor] : [],
      approvals: this.approvalRecords(),
      planHash: decision.planHash,
      currentPlanHash: this.currentPlanHash,
      at: new Date(decision.at),
      deadline: this.approvalDeadline,
      state: this.state,
    });
  }

  /**
   * The check runs before one-activity-per-decision repeated between verifying and recording a
   * decision. Its own approver is still marked as deciding, which answers "already voted" before
   * the state or plan is looked at; that answer is ignored, so in effect it refuses only a
   * decision for another change or one before assessment. Kept as it was so those runs replay.
   */
  lateDecisionRefusal(decision: SignedDecision): ChangeRefusal | undefined {
    const late = this.decisionRefusal(decision);
    return late && late.reason !== 'already_voted' ? late : undefined;
  }

  beginDeciding(approverId: string): void {
    this.deciding.add(approverId);
  }

  endDeciding(approverId: string): void {
    this.deciding.delete(approverId);
  }

  countDecision(decision: SignedDecision): void {
    this.decisions.push({ decision, voided: false });
  }

  voidDecisions(): void {
    for (const entry of this.decisions) entry.voided = true;
  }

  // The plan

  revisePlanRefusal(request: { planHash?: string; plan?: { steps?: unknown } }): ChangeRefusal | undefined {
    if (!EDITABLE_CHANGE_STATES.includes(this.state)) return refusal('conflict', 'plan_not_editable', `change is ${this.state}: its plan can no longer be edited`);
    const revised = request?.plan?.steps;
    if (!/^[0-9a-f]{64}$/.test(request?.planHash ?? '') || !Array.isArray(revised) || revised.length === 0) {
      return refusal('invalid', 'plan_incomplete', 'a plan revision needs steps and their hash');
    }
    if (request.planHash === this.currentPlanHash) return refusal('conflict', 'plan_unchanged', 'the revised plan is identical to the current plan');
    return undefined;
  }

  /** The revised plan replaces the old one; its steps start over and its author may not approve it. */
  revisePlan(steps: PlanStep[], planHash: string, author: string): void {
    this.currentSteps = steps;
    this.currentPlanHash = planHash;
    this.planAuthor = author;
    this.resetSteps();
  }

  // Scheduling

  rescheduleRefusal(window: RequestedWindow | undefined): ChangeRefusal | undefined {
    if (!RESCHEDULABLE_CHANGE_STATES.includes(this.state)) return refusal('conflict', 'not_reschedulable', `change is ${this.state} and can no longer be rescheduled`);
    if (!window || !(Date.parse(window.end) > Date.parse(window.start))) return refusal('invalid', 'window_invalid', 'window.end must be after window.start');
    return undefined;
  }

  reschedule(window: RequestedWindow): void {
    this.requested = window;
  }

  /** How long the whole plan is expected to take, for the interval it needs. */
  estimatedMinutes(): number {
    return this.currentSteps.reduce((sum, s) => sum + s.estimatedMinutes, 0);
  }

  scheduledIn(interval: ScheduledInterval | null): void {
    this.interval = interval ?? undefined;
  }

  // Implementation

  setStep(stepId: string, state: StepState, detail?: string): void {
    this.stepStates.set(stepId, { state, ...(detail ? { detail } : {}) });
  }

  /** A step may start only if its estimate still fits before the window closes. */
  fitsWindow(step: PlanStep, now: number, windowEnd: number): boolean {
    return now + step.estimatedMinutes * 60_000 <= windowEnd;
  }

  /** With windowClosePolicy 'hold', a step that no longer fits waits for a change manager's word. */
  get holdsAtWindowClose(): boolean {
    return this.input.settings.windowClosePolicy === 'hold';
  }

  hold(): void {
    this.holding = true;
    this.holdDecision = undefined;
  }

  get holdResolved(): boolean {
    return this.holdDecision !== undefined;
  }

  releaseHold(): void {
    this.holding = false;
  }

  /** A step that no longer fits is skipped (and the change rolled back) unless a change manager said continue. */
  skipsUnfittingStep(): boolean {
    return this.input.settings.windowClosePolicy === 'rollback' || this.holdDecision === 'rollback';
  }

  holdRefusal(actor: { id?: string } | undefined): ChangeRefusal | undefined {
    const sod = this.implementerRefusal('decide_hold', actor);
    if (sod) return sod;
    if (!this.holding) return refusal('conflict', 'not_held', 'the change is not held for a decision');
    return undefined;
  }

  resolveHold(action: 'rollback' | 'continue'): void {
    this.holdDecision = action;
  }

  /** A manual step waits for a release engineer; an earlier completion of it no longer counts. */
  awaitManualStep(stepId: string, phase: StepPhase): void {
    this.manualResults.delete(stepId);
    this.awaitingManual = { stepId, phase };
  }

  stopAwaitingManual(): void {
    this.awaitingManual = undefined;
  }

  manualResult(stepId: string): CompleteStepRequest | undefined {
    return this.manualResults.get(stepId);
  }

  completeStepRefusal(request: Partial<CompleteStepRequest>): ChangeRefusal | undefined {
    const sod = this.implementerRefusal('complete_step', request?.actor);
    if (sod) return sod;
    if (!this.awaitingManual || this.awaitingManual.stepId !== request.stepId) {
      return refusal('conflict', 'step_not_waiting', `step ${request.stepId} is not waiting for a release engineer`);
    }
    if (request.outcome !== 'succeeded' && request.outcome !== 'failed') return refusal('invalid', 'outcome_invalid', 'outcome must be succeeded or failed');
    return undefined;
  }

  completeStep(request: CompleteStepRequest): void {
    this.manualResults.set(request.stepId, request);
  }

  // The view

  snapshot(): ChangeSnapshot {
    const evaluation = this.evaluation();
    return {
      ...this.lifecycle.snapshot(),
      planHash: this.currentPlanHash,
      ...(this.risk ? { risk: this.risk } : {}),
      ...(this.policy ? { policy: this.policy } : {}),
      approvals: this.approvalRecords(),
      rules: evaluation?.rules ?? [],
      ...(this.interval ? { schedule: this.interval } : {}),
      steps: this.currentSteps.map((s) => ({ id: s.id, ...(this.stepStates.get(s.id) ?? { state: 'pending' as StepState }) })),
      ...(this.waitingFor ? { waitingFor: this.waitingFor } : {}),
      ...(this.endReason ? { endReason: this.endReason } : {}),
    };
  }

  private resetSteps(): void {
    this.stepStates.clear();
    for (const step of this.currentSteps) this.stepStates.set(step.id, { state: 'pending' });
  }

  private implementerRefusal(action: 'complete_step' | 'decide_hold', actor: { id?: string } | undefined): ChangeRefusal | undefined {
    const mode = this.input.settings.sodImplementer;
    if (!mode) return undefined;
    const sod = implementationSodRefusal({ action, actorId: actor?.id as string, requesterId: this.input.requesterId, mode });
    return sod ? refusal(sod.code, 'segregation_of_duties', sod.message) : undefined;
  }
}
