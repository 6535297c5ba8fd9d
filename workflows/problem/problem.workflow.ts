import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { ProblemOutcome, ProblemWorkflowInput } from '@steward/contracts';
import { registerProblemMessages } from './problem-messages';
import { ProblemRun, records } from './problem-run';

/**
 * One problem investigation (principle 2): new -> investigating -> known_error (workaround
 * published as a knowledge article) -> fix_in_progress (waits for the fix change to end) ->
 * resolved -> observation (a recurrence reopens it) -> closed. Review actions are tracked to
 * done; an overdue one is escalated once. The state machine is ProblemLifecycle; the steps
 * people take arrive as messages (problem-messages.ts); everything that touches the world is an
 * activity.
 */
export async function problemWorkflow(input: ProblemWorkflowInput): Promise<ProblemOutcome> {
  const { problemId, settings } = input;
  const run = new ProblemRun(input);
  const { problem } = run;
  registerProblemMessages(run);

  // Detection: the incidents the problem was opened for.
  if (!input.carried) {
    for (const incidentId of input.incidents ?? []) await run.attach(incidentId, false);
  }

  while (!problem.isClosed) {
    // Asleep until a message moves the problem or its next deadline comes.
    const wakeAt = run.nextDeadline();
    const wake = () => run.changed || workflowInfo().continueAsNewSuggested;
    if (wakeAt === undefined) await condition(wake);
    else await condition(wake, Math.max(1, wakeAt - Date.now()));
    run.changed = false;

    // Review actions past due: their owners and the problem managers hear of each once.
    for (const action of problem.overdueActions(new Date())) {
      await records.escalateOverdueAction({ problemId, action, at: new Date().toISOString() });
      await run.record(problem.markEscalated(action.id, new Date()));
    }

    // Error control: wait for the fix's change to end; only a completed change resolves.
    if (problem.state === 'fix_in_progress' && Date.now() >= run.nextFixPoll) {
      const changeId = problem.fixChangeId;
      const fix = await records.fixChangeState({ changeId: changeId! });
      run.nextFixPoll = Date.now() + settings.fixPollMs;
      if (fix.final && problem.state === 'fix_in_progress' && problem.fixChangeId === changeId) await run.record(problem.fixEnded(fix.state!, new Date()));
    }

    // Observation: a recurrence reopens it; a quiet period with no open action closes it.
    if (problem.state === 'resolved') await run.record(problem.observe(new Date(Date.now() + settings.observationMs)));
    if (problem.closesOnItsOwn(new Date())) await run.record(problem.close(new Date(), 'observation ended without recurrence and no action is open'));

    if (!problem.isClosed && workflowInfo().continueAsNewSuggested) {
      await run.written;
      await condition(allHandlersFinished);
      if (!problem.isClosed) await continueAsNew<typeof problemWorkflow>(run.carry());
    }
  }

  await run.written;
  // A close by update must answer its caller before the run ends.
  await condition(allHandlersFinished);
  return { problemId, state: problem.state };
}
