import { ActivityFailure, condition } from '@temporalio/workflow';
import type { PlanStep, StepState } from '@steward/contracts';
import type { StepPhase } from '@steward/domain';
import { execution, records, type ChangeRun } from './change-run';

type StepResult = { outcome: 'succeeded' | 'failed'; detail: string };
type Failure = { step: PlanStep; detail: string; started: boolean };

const causeOf = (error: unknown): string => (error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : (error as Error).message);

/**
 * Implementation inside the scheduled interval: the gate's token first, then the steps, then
 * the verification steps; on a failure, the saga undoes what was done, newest first.
 */
export async function implement(run: ChangeRun): Promise<void> {
  const { change } = run;
  const { changeId, settings } = run.input;
  await run.advance('implementing');
  change.waitingFor = undefined;
  const window = change.schedule!;
  let token: string;
  try {
    // The gate learns the calling run from the activity context, never from this input.
    ({ token } = await records.authorizeImplementation({ changeId, window: { start: window.start, end: window.end } }));
  } catch (error) {
    const reason = error instanceof ActivityFailure ? (error.cause?.message ?? error.message) : String(error);
    await records.recordFailure({ changeId, endState: 'failed', reason: `authorization refused: ${reason}` });
    await run.advance('failed', `authorization refused: ${reason}`);
    return;
  }
  const windowEnd = Date.parse(window.end);
  const runStep = (step: PlanStep, phase: StepPhase) => (step.kind === 'manual' ? manualStep(run, step, phase, windowEnd) : automatedStep(run, step, phase, token));

  const done: PlanStep[] = [];
  const failure = await runSteps(run, runStep, windowEnd, done);
  change.waitingFor = undefined;

  if (!failure) {
    await records.completeChange({ changeId, closureCode: 'successful', reviewDueMs: run.input.type === 'emergency' ? settings.reviewDueMs : undefined });
    await run.advance('completed');
    return;
  }

  // Saga: undo what was done, newest first; a rollback that fails is recorded and the rest still run.
  const reason = `step ${failure.step.id} ${failure.started ? 'failed' : 'not started'}: ${failure.detail}`;
  await run.advance('rolling_back', reason);
  let rollbackFailed = false;
  for (const step of done) {
    if (step.kind !== 'manual') await setStep(run, step, 'rolling_back');
    const result = await runStep(step, 'rollback');
    await setStep(run, step, result.outcome === 'succeeded' ? 'rolled_back' : 'rollback_failed', result.detail);
    if (result.outcome !== 'succeeded') rollbackFailed = true;
  }
  const end = rollbackFailed ? 'failed' : 'rolled_back';
  await records.recordFailure({ changeId, endState: end, reason, failedStep: failure.step.id, reviewDueMs: settings.reviewDueMs });
  await run.advance(end, rollbackFailed ? `${reason}; a rollback failed` : reason);
}

/** The implementation steps, then the verification steps; the first failure stops them. `done` collects what to undo, newest first. */
async function runSteps(run: ChangeRun, runStep: (step: PlanStep, phase: StepPhase) => Promise<StepResult>, windowEnd: number, done: PlanStep[]): Promise<Failure | undefined> {
  const { change } = run;
  const implementation = change.steps.filter((s) => !s.verification);
  const verification = change.steps.filter((s) => s.verification);
  for (const [phaseSteps, state] of [
    [implementation, 'implementing'],
    [verification, 'verifying'],
  ] as const) {
    await run.advance(state);
    for (const step of phaseSteps) {
      if (!change.fitsWindow(step, Date.now(), windowEnd)) {
        if (change.holdsAtWindowClose) {
          change.hold();
          change.waitingFor = `a change manager: the interval cannot fit step ${step.id} (roll back or continue)`;
          await condition(() => change.holdResolved);
          change.releaseHold();
        }
        if (change.skipsUnfittingStep()) {
          await setStep(run, step, 'skipped', 'not started: the interval cannot fit it');
          return { step, detail: 'the interval ends before it could finish', started: false };
        }
      }
      // A manual step announces itself as waiting only once it can take the completion.
      if (step.kind !== 'manual') await setStep(run, step, 'running');
      const result = await runStep(step, 'action');
      await setStep(run, step, result.outcome, result.detail);
      if (result.outcome !== 'succeeded') return { step, detail: result.detail, started: true };
      if (!step.verification) done.unshift(step);
    }
  }
  return undefined;
}

async function setStep(run: ChangeRun, step: PlanStep, state: StepState, detail?: string): Promise<void> {
  run.change.setStep(step.id, state, detail);
  await records.recordStepState({ changeId: run.input.changeId, stepId: step.id, state, ...(detail ? { detail } : {}) });
}

async function manualStep(run: ChangeRun, step: PlanStep, phase: StepPhase, windowEnd: number): Promise<StepResult> {
  const { change } = run;
  change.awaitManualStep(step.id, phase);
  change.waitingFor = `${phase === 'action' ? 'step' : 'rollback of step'} ${step.id} by a release engineer: ${String(step[phase].instructions ?? '')}`;
  await setStep(run, step, phase === 'action' ? 'waiting' : 'rolling_back');
  const completed = await condition(() => change.manualResult(step.id) !== undefined, Math.max(1, windowEnd - Date.now()));
  change.stopAwaitingManual();
  if (!completed) return { outcome: 'failed', detail: 'the interval closed before the step was confirmed' };
  const result = change.manualResult(step.id)!;
  return { outcome: result.outcome, detail: `${result.actor.id}: ${result.notes}` };
}

async function automatedStep(run: ChangeRun, step: PlanStep, phase: StepPhase, token: string): Promise<StepResult> {
  try {
    return await execution.runStep({ token, changeId: run.input.changeId, stepId: step.id, phase });
  } catch (error) {
    // The executor refused (no valid authorization) or kept failing: the step failed.
    return { outcome: 'failed', detail: causeOf(error) };
  }
}
