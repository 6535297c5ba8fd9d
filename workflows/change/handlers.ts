import { setHandler } from '@temporalio/workflow';
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
  type SignedDecision,
} from '@steward/contracts';
import type { ChangeRefusal } from '@steward/domain';
import { records, refuse, type ChangeRun } from './change-run';

/**
 * The change's messages. Each update's validator asks the change case whether the message may
 * act now, so a refused message never enters history; the handler then acts and answers with
 * the change as it stands. The main line waits on what the handlers set (run.wake).
 */
export function registerHandlers(run: ChangeRun): void {
  const { change } = run;
  const { changeId } = run.input;
  const refuseIf = (refusal: ChangeRefusal | undefined): void => {
    if (refusal) refuse(refusal);
  };

  setHandler(changeStateQuery, () => change.snapshot());

  setHandler(
    decideUpdate,
    async (decision) => {
      await acceptDecision(run, decision);
      return change.snapshot();
    },
    { validator: (decision) => refuseIf(change.decisionRefusal(decision)) },
  );

  // Fire and forget: a refused decision is recorded as evidence, never answered.
  setHandler(decideSignal, async (decision) => {
    const refusal = change.decisionRefusal(decision);
    if (refusal) {
      await records.recordRefusal({ changeId, actor: decision?.approver?.id ?? 'unknown', reason: refusal.message });
      return;
    }
    await acceptDecision(run, decision).catch(() => undefined);
  });

  setHandler(
    revisePlanUpdate,
    async ({ actor, plan, backoutPlan, planHash }) => {
      await records.revisePlan({ changeId, plan, backoutPlan, planHash, actor: actor.id });
      change.revisePlan(plan.steps, planHash, actor.id);
      await voidDecisions(run, `plan revised by ${actor.id}`);
      run.wake.planRevised = true;
      return change.snapshot();
    },
    { validator: (request) => refuseIf(change.revisePlanRefusal(request)) },
  );

  setHandler(
    completeStepUpdate,
    (request) => {
      change.completeStep(request);
      return change.snapshot();
    },
    { validator: (request) => refuseIf(change.completeStepRefusal(request)) },
  );

  setHandler(
    rescheduleUpdate,
    ({ window }) => {
      change.reschedule(window);
      run.wake.rescheduled = true;
      return change.snapshot();
    },
    { validator: ({ window }) => refuseIf(change.rescheduleRefusal(window)) },
  );

  setHandler(
    resolveHoldUpdate,
    ({ action }) => {
      change.resolveHold(action);
      return change.snapshot();
    },
    { validator: ({ actor }) => refuseIf(change.holdRefusal(actor)) },
  );

  setHandler(
    cancelChangeUpdate,
    async ({ actor, reason }) => {
      await run.moveTo('cancelled', actor.id, reason);
      return change.snapshot();
    },
    { validator: (request) => refuseIf(change.cancelRefusal(request)) },
  );

  setHandler(calendarChangedSignal, () => {
    run.wake.calendarChanged = true;
  });
}

/**
 * Counts a decision once its signature proved the API issued it. Runs with
 * one-activity-per-decision verify and record in one activity and check nothing in between: the
 * older runs' check there could refuse only a decision for another change, which the validator
 * has refused already (see ChangeCase.lateDecisionRefusal).
 */
async function acceptDecision(run: ChangeRun, decision: SignedDecision): Promise<void> {
  const { change } = run;
  const changeId = run.input.changeId;
  change.beginDeciding(decision.approver.id);
  try {
    if (run.oneActivityPerDecision) {
      if ((await records.acceptDecision({ decision })) === 'not_signed') refuse({ code: 'forbidden', message: 'decision is not signed by Steward' });
      change.countDecision(decision);
      return;
    }
    if (!(await records.verifyDecision({ decision }))) {
      await records.recordRefusal({ changeId, actor: decision.approver.id, reason: 'decision not signed by Steward' });
      refuse({ code: 'forbidden', message: 'decision is not signed by Steward' });
    }
    const late = change.lateDecisionRefusal(decision);
    if (late) refuse(late);
    await records.recordDecision({ decision });
    change.countDecision(decision);
  } finally {
    change.endDeciding(decision.approver.id);
  }
}

/** Votes are for one plan: a revision or a request for changes voids every one cast so far. */
export async function voidDecisions(run: ChangeRun, reason: string): Promise<void> {
  run.change.voidDecisions();
  await records.voidApprovals({ changeId: run.input.changeId, reason });
}
