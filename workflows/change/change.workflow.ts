import {
  ApplicationFailure,
  ActivityFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { ActivityInterfaceOf, ChangeActivities, ChangeExecutionActivities } from '@steward/activities';
import {
  calendarChangedSignal,
  cancelChangeUpdate,
  changeStateQuery,
  completeStepUpdate,
  decideSignal,
  decideUpdate,
  rescheduleUpdate,
  resolveHoldUpdate,
  revisePlanUpdate,
  type ChangeOutcome,
  type ChangeSnapshot,
  type ChangeState,
  type ChangeWorkflowInput,
  type CompleteStepRequest,
  type PlanStep,
  type PolicySnapshot,
  type RiskAssessment,
  type SignedDecision,
  type StepState,
} from '@steward/contracts';
import { ChangeLifecycle, evaluateApprovals, implementationSodRefusal, voteRefusal, type ApprovalEvaluation, type VoteRefusal } from '@steward/domain';

const records = proxyActivities<ActivityInterfaceOf<ChangeActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// Executors heartbeat; a worker that dies mid-step is noticed within the heartbeat timeout and
// the step is retried with the same idempotency key.
const execution = proxyActivities<ActivityInterfaceOf<ChangeExecutionActivities>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

const SYSTEM = 'steward';

type Phase = 'action' | 'rollback';
type StepResult = { outcome: 'succeeded' | 'failed'; detail: string };

const refuse = (refusal: VoteRefusal | { code: string; message: string }): never => {
  throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
};

/**
 * One change request, from submission to its end: assessment, authorization by its model,
 * the wait for an eligible window, implementation with rollback, verification, closure.
 * The state machine is ChangeLifecycle; approval rules are pure functions in libs/domain;
 * everything that touches the world is an activity. Implementation cannot start without the
 * token that only the authorization gate activity issues, and executors check that token.
 */
export async function changeWorkflow(input: ChangeWorkflowInput): Promise<ChangeOutcome> {
  const { changeId, settings } = input;
  const emergency = input.type === 'emergency';
  const change = new ChangeLifecycle(changeId, input.planHash);

  let planHash = input.planHash;
  let steps: PlanStep[] = input.steps;
  let risk: RiskAssessment | undefined;
  let policy: PolicySnapshot | undefined;
  let standardAuthorization = false;
  const decisions: Array<{ decision: SignedDecision; voided: boolean }> = [];
  const deciding = new Set<string>();
  let approvalDeadline: Date | undefined;
  let schedule: { start: string; end: string; reason: string } | undefined;
  let requestedWindow: { start: string; end: string } | undefined;
  const stepStates = new Map<string, { state: StepState; detail?: string }>();
  let awaitingManual: { stepId: string; phase: Phase } | undefined;
  const manualResults = new Map<string, CompleteStepRequest>();
  let planRevised = false;
  // Who revised the plan the change now carries: they may not approve it (segregation of duties).
  let planAuthor: string | undefined;
  // Changes started before this rule counted a plan author's vote, and the handlers re-check votes
  // when they replay; only changes started with the rule apply it, so their histories stay valid.
  const planAuthorsMayNotApprove = patched('plan-authors-may-not-approve');
  let calendarChanged = false;
  let rescheduled = false;
  let holdDecision: 'rollback' | 'continue' | undefined;
  let holding = false;
  let waitingFor: string | undefined;
  let endReason: string | undefined;

  const resetSteps = () => {
    stepStates.clear();
    for (const step of steps) stepStates.set(step.id, { state: 'pending' });
  };
  resetSteps();

  // Transitions are recorded one after another, in the order they happened, even when a
  // message handler moves the change while the main line is still recording its own move.
  let recording: Promise<void> = Promise.resolve();
  const moveTo = (to: ChangeState, actor: string, reason?: string): Promise<void> => {
    const transition = change.moveTo(to, new Date(), actor, reason);
    const sequence = change.transitions.length;
    if (change.isFinal) endReason = reason;
    recording = recording.then(() => records.recordChangeTransition({ changeId, sequence, transition }));
    return recording;
  };
  // The main line's own moves; none once a message has ended the change (a cancel can arrive
  // in the very first workflow task, before the main line has moved at all).
  const advance = (to: ChangeState, reason?: string): Promise<void> =>
    change.isFinal || change.state === to ? recording : moveTo(to, SYSTEM, reason);

  const approvalRecords = () =>
    decisions.map(({ decision, voided }) => ({
      approver: decision.approver.id,
      approverName: decision.approver.name,
      decision: decision.decision,
      comment: decision.comment,
      planHash: decision.planHash,
      at: decision.at,
      voided,
    }));
  const evaluation = (): ApprovalEvaluation | undefined =>
    policy
      ? evaluateApprovals(
          policy,
          decisions.map(({ decision, voided }, i) => ({ ...approvalRecords()[i], voided, identity: decision.approver })),
          input.requester.id,
          planHash,
        )
      : undefined;

  const snapshot = (): ChangeSnapshot => ({
    ...change.snapshot(),
    planHash,
    ...(risk ? { risk } : {}),
    ...(policy ? { policy } : {}),
    approvals: approvalRecords(),
    rules: evaluation()?.rules ?? [],
    ...(schedule ? { schedule } : {}),
    steps: steps.map((s) => ({ id: s.id, ...(stepStates.get(s.id) ?? { state: 'pending' as StepState }) })),
    ...(waitingFor ? { waitingFor } : {}),
    ...(endReason ? { endReason } : {}),
  });

  const decisionRefusal = (decision: SignedDecision): VoteRefusal | undefined => {
    if (decision?.changeId !== changeId) return { code: 'invalid', message: `the decision is for ${decision?.changeId}, not ${changeId}` };
    if (!policy) return { code: 'conflict', message: `change is ${change.state}, not awaiting approval` };
    if (deciding.has(decision.approver?.id)) return { code: 'conflict', message: `${decision.approver.id} has already voted on this plan` };
    return voteRefusal({
      snapshot: policy,
      approver: decision.approver,
      requesterId: input.requester.id,
      planAuthors: planAuthorsMayNotApprove && planAuthor ? [planAuthor] : [],
      approvals: approvalRecords(),
      planHash: decision.planHash,
      currentPlanHash: planHash,
      at: new Date(decision.at),
      deadline: approvalDeadline,
      state: change.state,
    });
  };

  /** Counts a decision once its signature proved the API issued it. */
  const acceptDecision = async (decision: SignedDecision): Promise<void> => {
    deciding.add(decision.approver.id);
    try {
      if (!(await records.verifyDecision({ decision }))) {
        await records.recordRefusal({ changeId, actor: decision.approver.id, reason: 'decision not signed by Steward' });
        refuse({ code: 'forbidden', message: 'decision is not signed by Steward' });
      }
      // The change may have moved while the signature was checked.
      const late = decisionRefusal(decision);
      if (late && !(late.code === 'conflict' && late.message.includes('already voted'))) refuse(late);
      await records.recordDecision({ decision });
      decisions.push({ decision, voided: false });
    } finally {
      deciding.delete(decision.approver.id);
    }
  };

  const voidVotes = async (reason: string) => {
    for (const entry of decisions) entry.voided = true;
    await records.voidApprovals({ changeId, reason });
  };

  // Messages
  setHandler(changeStateQuery, snapshot);

  setHandler(
    decideUpdate,
    async (decision) => {
      await acceptDecision(decision);
      return snapshot();
    },
    {
      validator: (decision) => {
        const refusal = decisionRefusal(decision);
        if (refusal) refuse(refusal);
      },
    },
  );

  setHandler(decideSignal, async (decision) => {
    const refusal = decisionRefusal(decision);
    if (refusal) {
      await records.recordRefusal({ changeId, actor: decision?.approver?.id ?? 'unknown', reason: refusal.message });
      return;
    }
    await acceptDecision(decision).catch(() => undefined);
  });

  setHandler(
    revisePlanUpdate,
    async ({ actor, plan, backoutPlan, planHash: revisedHash }) => {
      await records.revisePlan({ changeId, plan, backoutPlan, planHash: revisedHash, actor: actor.id });
      steps = plan.steps;
      planHash = revisedHash;
      planAuthor = actor.id;
      resetSteps();
      await voidVotes(`plan revised by ${actor.id}`);
      planRevised = true;
      return snapshot();
    },
    {
      validator: ({ planHash: revisedHash, plan }) => {
        const revised = plan?.steps;
        if (!['assessing', 'awaiting_approval', 'changes_requested', 'scheduled'].includes(change.state)) {
          refuse({ code: 'conflict', message: `change is ${change.state}: its plan can no longer be edited` });
        }
        if (!/^[0-9a-f]{64}$/.test(revisedHash ?? '') || !Array.isArray(revised) || revised.length === 0) {
          refuse({ code: 'invalid', message: 'a plan revision needs steps and their hash' });
        }
        if (revisedHash === planHash) refuse({ code: 'conflict', message: 'the revised plan is identical to the current plan' });
      },
    },
  );

  setHandler(
    completeStepUpdate,
    (request) => {
      manualResults.set(request.stepId, request);
      return snapshot();
    },
    {
      validator: ({ actor, stepId, outcome }) => {
        const sod = settings.sodImplementer
          ? implementationSodRefusal({ action: 'complete_step', actorId: actor?.id, requesterId: input.requester.id, mode: settings.sodImplementer })
          : undefined;
        if (sod) refuse(sod);
        if (!awaitingManual || awaitingManual.stepId !== stepId) {
          refuse({ code: 'conflict', message: `step ${stepId} is not waiting for a release engineer` });
        }
        if (outcome !== 'succeeded' && outcome !== 'failed') refuse({ code: 'invalid', message: 'outcome must be succeeded or failed' });
      },
    },
  );

  setHandler(
    rescheduleUpdate,
    ({ window }) => {
      requestedWindow = window;
      rescheduled = true;
      return snapshot();
    },
    {
      validator: ({ window }) => {
        if (!['submitted', 'assessing', 'awaiting_approval', 'changes_requested', 'scheduled'].includes(change.state)) {
          refuse({ code: 'conflict', message: `change is ${change.state} and can no longer be rescheduled` });
        }
        if (!window || !(Date.parse(window.end) > Date.parse(window.start))) refuse({ code: 'invalid', message: 'window.end must be after window.start' });
      },
    },
  );

  setHandler(
    resolveHoldUpdate,
    ({ action }) => {
      holdDecision = action;
      return snapshot();
    },
    {
      validator: ({ actor }) => {
        const sod = settings.sodImplementer
          ? implementationSodRefusal({ action: 'decide_hold', actorId: actor?.id, requesterId: input.requester.id, mode: settings.sodImplementer })
          : undefined;
        if (sod) refuse(sod);
        if (!holding) refuse({ code: 'conflict', message: 'the change is not held for a decision' });
      },
    },
  );

  setHandler(
    cancelChangeUpdate,
    async ({ actor, reason }) => {
      await moveTo('cancelled', actor.id, reason);
      return snapshot();
    },
    {
      validator: ({ actor, reason }) => {
        if (!actor?.id || !reason?.trim()) refuse({ code: 'invalid', message: 'a cancel needs an actor and a reason' });
        const refusal = change.cancelRefusal();
        if (refusal) refuse({ code: 'conflict', message: refusal });
      },
    },
  );

  setHandler(calendarChangedSignal, () => {
    calendarChanged = true;
  });

  // Authorization
  /** Waits for the policy's quorum, with reminders, escalation and expiry. */
  async function approval(): Promise<'authorized' | 'revised' | 'ended'> {
    // The deadline exists before the state says votes are welcome: validators check it.
    const since = Date.now();
    approvalDeadline = new Date(since + settings.approvalExpiryMs);
    await advance('awaiting_approval');
    const reminders: Array<{ at: number; send: () => Promise<void> }> = [
      {
        at: since + settings.approvalReminderMs,
        send: () => records.notifyApprovers({ changeId, kind: 'approval_reminder', missing: evaluation()?.missing ?? [], policy: policy! }),
      },
      {
        at: since + settings.approvalEscalationMs,
        send: () => records.notifyApprovers({ changeId, kind: 'approval_escalation', missing: evaluation()?.missing ?? [], policy: policy! }),
      },
    ];
    for (;;) {
      waitingFor = `approvals: ${(evaluation()?.missing ?? []).join('; ') || 'none missing'}`;
      const outcome = () => evaluation()?.outcome ?? 'pending';
      const next = reminders[0]?.at ?? approvalDeadline.getTime();
      const moved = await condition(() => change.isFinal || planRevised || outcome() !== 'pending', Math.max(1, next - Date.now()));
      if (change.isFinal) return 'ended';
      if (planRevised) return 'revised';
      if (!moved) {
        const reminder = reminders.shift();
        if (reminder) {
          await reminder.send();
          continue;
        }
        await advance('rejected', 'expired');
        return 'ended';
      }
      const verdict = evaluation()!;
      if (verdict.outcome === 'approved') return 'authorized';
      const last = decisions[decisions.length - 1].decision;
      if (verdict.outcome === 'rejected') {
        await advance('rejected', `rejected by ${last.approver.id}: ${last.comment}`);
        return 'ended';
      }
      await voidVotes('changes requested');
      await advance('changes_requested', `changes requested by ${last.approver.id}: ${last.comment}`);
      waitingFor = 'a revised plan from the requester';
      await condition(() => change.isFinal || planRevised);
      return change.isFinal ? 'ended' : 'revised';
    }
  }

  // Scheduling
  /** Sleeps until the next eligible interval; reschedules and calendar changes wake it. */
  async function scheduled(): Promise<'ready' | 'revised' | 'ended'> {
    for (;;) {
      calendarChanged = false;
      rescheduled = false;
      const estimate = steps.reduce((sum, s) => sum + s.estimatedMinutes, 0);
      const found = await records.scheduleChange({ changeId, emergency, durationMinutes: estimate, ...(requestedWindow ? { requested: requestedWindow } : {}) });
      schedule = found ?? undefined;
      // Scheduled once the interval is known, so whoever sees the state also sees when.
      await advance('scheduled');
      const wake = () => change.isFinal || planRevised || calendarChanged || rescheduled;
      if (!found) {
        waitingFor = 'an eligible interval: none fits within the horizon';
        await condition(wake);
      } else if (Date.parse(found.start) > Date.now()) {
        waitingFor = `the interval from ${found.start} (${found.reason})`;
        if (await condition(wake, Math.max(1, Date.parse(found.start) - Date.now()))) {
          if (change.isFinal) return 'ended';
          if (planRevised) return 'revised';
          continue;
        }
      }
      if (change.isFinal) return 'ended';
      if (planRevised) return 'revised';
      if (!found || calendarChanged || rescheduled) continue;
      // A freeze may have been declared while we slept.
      const frozen = await records.blockingFreezes({ changeId, emergency });
      if (frozen.length > 0) {
        await records.recordNote({ changeId, type: 'freeze_at_wake_up', data: { freezes: frozen } });
        continue;
      }
      return 'ready';
    }
  }

  // Implementation
  const setStep = async (step: PlanStep, state: StepState, detail?: string) => {
    stepStates.set(step.id, { state, ...(detail ? { detail } : {}) });
    await records.recordStepState({ changeId, stepId: step.id, state, ...(detail ? { detail } : {}) });
  };

  async function manualStep(step: PlanStep, phase: Phase, windowEnd: number): Promise<StepResult> {
    manualResults.delete(step.id);
    awaitingManual = { stepId: step.id, phase };
    waitingFor = `${phase === 'action' ? 'step' : 'rollback of step'} ${step.id} by a release engineer: ${String(step[phase].instructions ?? '')}`;
    await setStep(step, phase === 'action' ? 'waiting' : 'rolling_back');
    const done = await condition(() => manualResults.has(step.id), Math.max(1, windowEnd - Date.now()));
    awaitingManual = undefined;
    if (!done) return { outcome: 'failed', detail: 'the interval closed before the step was confirmed' };
    const result = manualResults.get(step.id)!;
    return { outcome: result.outcome, detail: `${result.actor.id}: ${result.notes}` };
  }

  async function automatedStep(step: PlanStep, phase: Phase, token: string): Promise<StepResult> {
    try {
      return await execution.runStep({ token, changeId, stepId: step.id, phase });
    } catch (error) {
      // The executor refused (no valid authorization) or kept failing: the step failed.
      const cause = error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : (error as Error).message;
      return { outcome: 'failed', detail: cause };
    }
  }

  async function implement(): Promise<void> {
    await advance('implementing');
    waitingFor = undefined;
    const window = schedule!;
    let token: string;
    try {
      // The gate learns the calling run from the activity context, never from this input.
      ({ token } = await records.authorizeImplementation({ changeId, window: { start: window.start, end: window.end } }));
    } catch (error) {
      const reason = error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : String(error);
      await records.recordFailure({ changeId, endState: 'failed', reason: `authorization refused: ${reason}` });
      await advance('failed', `authorization refused: ${reason}`);
      return;
    }
    const windowEnd = Date.parse(window.end);
    const run = (step: PlanStep, phase: Phase) => (step.kind === 'manual' ? manualStep(step, phase, windowEnd) : automatedStep(step, phase, token));

    const done: PlanStep[] = [];
    let failure: { step: PlanStep; detail: string; started: boolean } | undefined;
    const implementation = steps.filter((s) => !s.verification);
    const verification = steps.filter((s) => s.verification);
    for (const [phaseSteps, state] of [
      [implementation, 'implementing'],
      [verification, 'verifying'],
    ] as const) {
      if (failure) break;
      await advance(state);
      for (const step of phaseSteps) {
        if (Date.now() + step.estimatedMinutes * 60_000 > windowEnd) {
          if (settings.windowClosePolicy === 'hold') {
            holding = true;
            holdDecision = undefined;
            waitingFor = `a change manager: the interval cannot fit step ${step.id} (roll back or continue)`;
            await condition(() => holdDecision !== undefined);
            holding = false;
          }
          if (settings.windowClosePolicy === 'rollback' || holdDecision === 'rollback') {
            await setStep(step, 'skipped', 'not started: the interval cannot fit it');
            failure = { step, detail: 'the interval ends before it could finish', started: false };
            break;
          }
        }
        // A manual step announces itself as waiting only once it can take the completion.
        if (step.kind !== 'manual') await setStep(step, 'running');
        const result = await run(step, 'action');
        await setStep(step, result.outcome, result.detail);
        if (result.outcome !== 'succeeded') {
          failure = { step, detail: result.detail, started: true };
          break;
        }
        if (!step.verification) done.unshift(step);
      }
    }
    waitingFor = undefined;

    if (!failure) {
      await records.completeChange({ changeId, closureCode: 'successful', reviewDueMs: emergency ? settings.reviewDueMs : undefined });
      await advance('completed');
      return;
    }

    // Saga: undo what was done, newest first; a rollback that fails is recorded and the rest still run.
    const reason = `step ${failure.step.id} ${failure.started ? 'failed' : 'not started'}: ${failure.detail}`;
    await advance('rolling_back', reason);
    let rollbackFailed = false;
    for (const step of done) {
      if (step.kind !== 'manual') await setStep(step, 'rolling_back');
      const result = await run(step, 'rollback');
      await setStep(step, result.outcome === 'succeeded' ? 'rolled_back' : 'rollback_failed', result.detail);
      if (result.outcome !== 'succeeded') rollbackFailed = true;
    }
    const end = rollbackFailed ? 'failed' : 'rolled_back';
    await records.recordFailure({ changeId, endState: end, reason, failedStep: failure.step.id, reviewDueMs: settings.reviewDueMs });
    await advance(end, rollbackFailed ? `${reason}; a rollback failed` : reason);
  }

  // Main line
  while (!change.isFinal) {
    planRevised = false;
    await advance('assessing');
    if (change.isFinal) break;
    const assessment = await records.assessChange({ changeId });
    risk = assessment.risk;
    policy = assessment.policy;
    standardAuthorization = assessment.standardAuthorized;
    if (planRevised) continue;

    if (!standardAuthorization) {
      const verdict = await approval();
      if (verdict === 'ended') break;
      if (verdict === 'revised') continue;
    }
    const slot = await scheduled();
    if (slot === 'ended') break;
    if (slot === 'revised') continue;
    await implement();
  }

  await recording;
  // A handler that ended the change (cancel) must answer its caller before the run closes.
  await condition(allHandlersFinished);
  return { changeId, state: change.state, ...(endReason ? { reason: endReason } : {}) };
}
