import { ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ActivityInterfaceOf, ProblemActivities } from '@steward/activities';
import {
  attachIncidentSignal,
  closeProblemUpdate,
  completeProblemActionUpdate,
  declareKnownErrorUpdate,
  investigateProblemUpdate,
  problemStateQuery,
  recordRootCauseUpdate,
  reviewActionsSignal,
  startFixUpdate,
  type ProblemActor,
  type ProblemOutcome,
  type ProblemWorkflowInput,
} from '@steward/contracts';
import { ProblemLifecycle, type ProblemFact, type ProblemRefusal } from '@steward/domain';

const records = proxyActivities<ActivityInterfaceOf<ProblemActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const SYSTEM = 'steward';

const refuse = (refusal: ProblemRefusal | undefined): void => {
  if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
};
const actorRefusal = (by: ProblemActor | undefined): ProblemRefusal | undefined =>
  by?.id ? undefined : { code: 'invalid', message: 'every problem action names who took it' };

/**
 * One problem investigation (principle 2): new -> investigating -> known_error (workaround
 * published as a knowledge article) -> fix_in_progress (waits for the fix change to end) ->
 * resolved -> observation (a recurrence reopens it) -> closed. Review actions are tracked to
 * done; an overdue one is escalated once. The state machine is ProblemLifecycle; everything
 * that touches the world is an activity.
 */
export async function problemWorkflow(input: ProblemWorkflowInput): Promise<ProblemOutcome> {
  const { problemId, settings } = input;
  const problem = input.carried ? ProblemLifecycle.resume(input.carried.snapshot) : ProblemLifecycle.open(problemId);
  let sequence = input.carried?.eventSequence ?? 0;
  /** Set by every message that moved the problem: the main line looks again. */
  let changed = false;
  let nextFixPoll = Date.now();
  let publishing = false;
  const savingActionsFor = new Set<string>();

  // Facts are recorded one after another, in the order they happened, each with the state it
  // left the problem in; the event key makes a retried write a no-op.
  let recording: Promise<void> = Promise.resolve();
  const record = (facts: ProblemFact | ProblemFact[], actor = SYSTEM): Promise<void> => {
    const snapshot = problem.snapshot();
    for (const fact of Array.isArray(facts) ? facts : [facts]) {
      sequence += 1;
      const eventKey = `${sequence}:${fact.type}`;
      recording = recording.then(() => records.recordProblemFact({ problemId, eventKey, type: fact.type, actor, data: fact.data, snapshot }));
    }
    changed = true;
    return recording;
  };

  const attach = async (incidentId: string, recurrence: boolean): Promise<void> => {
    const facts = problem.attach({ incidentId, recurrence });
    if (facts.length === 0) return;
    changed = true;
    await records.attachProblemIncident({ problemId, incidentId, recurrence });
    await record(facts);
  };

  // Messages
  setHandler(problemStateQuery, () => problem.snapshot());

  setHandler(attachIncidentSignal, async (link) => {
    if (typeof link?.incidentId === 'string') await attach(link.incidentId, link.recurrence === true);
  });

  setHandler(reviewActionsSignal, async ({ incidentId, actions }) => {
    if (typeof incidentId !== 'string' || !Array.isArray(actions) || actions.length === 0) return;
    // One review per incident: a repeated hand-over adds nothing.
    if (problem.isClosed || problem.hasActionsFor(incidentId) || savingActionsFor.has(incidentId)) return;
    savingActionsFor.add(incidentId);
    try {
      const saved = await records.saveProblemActions({ problemId, incidentId, actions });
      await record(problem.addActions(saved));
    } finally {
      savingActionsFor.delete(incidentId);
    }
  });

  setHandler(
    investigateProblemUpdate,
    async ({ by, owner, rcaMethod }) => {
      await record(problem.investigate({ owner, rcaMethod }), by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.investigateRefusal(request ?? {})) },
  );

  setHandler(
    recordRootCauseUpdate,
    async ({ by, rcaMethod, findings, rootCause }) => {
      await record(problem.recordRootCause({ rcaMethod, findings, rootCause }), by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.rootCauseRefusal(request ?? {})) },
  );

  setHandler(
    declareKnownErrorUpdate,
    async ({ by, workaround, title }) => {
      publishing = true;
      try {
        const { articleId } = await records.publishKnownError({
          problemId,
          title: title?.trim() || `Known error: ${input.title}`,
          workaround,
          rootCause: problem.snapshot().rootCause,
          actor: by.id,
        });
        await record(problem.declareKnownError({ workaround, articleId }), by.id);
      } finally {
        publishing = false;
      }
      return problem.snapshot();
    },
    {
      validator: (request) => {
        if (publishing) refuse({ code: 'conflict', message: `a known error of ${problemId} is being published` });
        refuse(actorRefusal(request?.by) ?? problem.knownErrorRefusal(request ?? {}));
      },
    },
  );

  setHandler(
    startFixUpdate,
    async ({ by, changeId }) => {
      nextFixPoll = Date.now();
      await record(problem.startFix(changeId), by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.fixRefusal(request ?? {})) },
  );

  setHandler(
    completeProblemActionUpdate,
    async ({ by, actionId }) => {
      const at = new Date();
      const fact = problem.completeAction(actionId, by.id, at);
      await records.completeProblemAction({ problemId, actionId, actor: by.id, at: at.toISOString() });
      await record(fact, by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.completeActionRefusal(String(request?.actionId))) },
  );

  setHandler(
    closeProblemUpdate,
    async ({ by }) => {
      await record(problem.close(new Date(), `closed by ${by.id}`), by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.closeRefusal()) },
  );

  // Main line
  if (!input.carried) {
    for (const incidentId of input.incidents ?? []) await attach(incidentId, false);
  }

  while (!problem.isClosed) {
    const deadlines: number[] = [];
    const due = problem.nextActionDue();
    if (due !== undefined) deadlines.push(due);
    if (problem.state === 'fix_in_progress') deadlines.push(nextFixPoll);
    if (problem.state === 'observation' && problem.observationUntil) deadlines.push(Date.parse(problem.observationUntil));
    const wakeAt = deadlines.length > 0 ? Math.min(...deadlines) : undefined;
    const wake = () => changed || workflowInfo().continueAsNewSuggested;
    if (wakeAt === undefined) await condition(wake);
    else await condition(wake, Math.max(1, wakeAt - Date.now()));
    changed = false;

    // Review actions past due: their owners and the problem managers hear of each once.
    for (const action of problem.overdueActions(new Date())) {
      await records.escalateOverdueAction({ problemId, action, at: new Date().toISOString() });
      await record(problem.markEscalated(action.id, new Date()));
    }

    // The fix: wait for its change's workflow to end; only a completed change resolves.
    if (problem.state === 'fix_in_progress' && Date.now() >= nextFixPoll) {
      const changeId = problem.fixChangeId;
      const fix = await records.fixChangeState({ changeId: changeId! });
      nextFixPoll = Date.now() + settings.fixPollMs;
      if (fix.final && problem.state === 'fix_in_progress' && problem.fixChangeId === changeId) await record(problem.fixEnded(fix.state!, new Date()));
    }
    if (problem.state === 'resolved') await record(problem.observe(new Date(Date.now() + settings.observationMs)));
    if (problem.closesOnItsOwn(new Date())) await record(problem.close(new Date(), 'observation ended without recurrence and no action is open'));

    if (!problem.isClosed && workflowInfo().continueAsNewSuggested) {
      await recording;
      await condition(allHandlersFinished);
      if (!problem.isClosed) {
        await continueAsNew<typeof problemWorkflow>({ problemId, title: input.title, settings, carried: { snapshot: problem.snapshot(), eventSequence: sequence } });
      }
    }
  }

  await recording;
  // A close by update must answer its caller before the run ends.
  await condition(allHandlersFinished);
  return { problemId, state: problem.state };
}
