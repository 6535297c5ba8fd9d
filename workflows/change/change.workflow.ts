import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { ChangeOutcome, ChangeWorkflowInput } from '@steward/contracts';
import { seekApproval } from './approval';
import { openChangeRun, records } from './change-run';
import { registerHandlers } from './handlers';
import { implement } from './implementation';
import { waitForWindow } from './scheduling';

/**
 * One change request, from submission to its end: assessment, authorization by its model,
 * the wait for an eligible window, implementation with rollback, verification, closure.
 * The change's rules are its ChangeCase (libs/domain); everything that touches the world is an
 * activity. Implementation cannot start without the token that only the authorization gate
 * activity issues, and executors check that token.
 */
export async function changeWorkflow(input: ChangeWorkflowInput): Promise<ChangeOutcome> {
  const run = openChangeRun(input);
  const { change, wake } = run;
  registerHandlers(run);

  while (!change.isFinal) {
    wake.planRevised = false;
    // Assessment: risk, and the authorization model (a standard template, or a policy's votes).
    await run.advance('assessing');
    if (change.isFinal) break;
    change.assessed(await records.assessChange({ changeId: input.changeId }));
    if (wake.planRevised) continue;

    // Authorization: a standard change is pre-authorized; the others wait for their quorum.
    if (!change.standardAuthorized) {
      const verdict = await seekApproval(run);
      if (verdict === 'ended') break;
      if (verdict === 'revised') continue;
    }

    // Scheduling: the next interval its windows and freezes allow.
    const slot = await waitForWindow(run);
    if (slot === 'ended') break;
    if (slot === 'revised') continue;

    // Implementation, verification, and rollback when a step fails.
    await implement(run);
  }

  await run.recorded();
  // A handler that ended the change (cancel) must answer its caller before the run closes.
  await condition(allHandlersFinished);
  return change.outcome();
}
