import { ApplicationFailure, setHandler } from '@temporalio/workflow';
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
  type Actor,
} from '@steward/contracts';
import type { ProblemRefusal } from '@steward/domain';
import { records, type ProblemRun } from './problem-run';

const refuse = (refusal: ProblemRefusal | undefined): void => {
  if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
};
const actorRefusal = (by: Actor | undefined): ProblemRefusal | undefined =>
  by?.id ? undefined : { code: 'invalid', message: 'every problem action names who took it' };

/**
 * The problem's messages. Validators ask ProblemLifecycle (a refused message never enters
 * history); handlers apply the step, record its facts and answer with the problem as it now is.
 */
export function registerProblemMessages(run: ProblemRun): void {
  const { problem, input } = run;
  const { problemId } = input;

  setHandler(problemStateQuery, () => problem.snapshot());

  setHandler(attachIncidentSignal, async (link) => {
    if (typeof link?.incidentId === 'string') await run.attach(link.incidentId, link.recurrence === true);
  });

  setHandler(reviewActionsSignal, async ({ incidentId, actions }) => {
    if (typeof incidentId !== 'string' || !Array.isArray(actions) || actions.length === 0) return;
    // One review per incident: a repeated hand-over adds nothing.
    if (problem.isClosed || problem.hasActionsFor(incidentId) || run.savingActionsFor.has(incidentId)) return;
    run.savingActionsFor.add(incidentId);
    try {
      const saved = await records.saveProblemActions({ problemId, incidentId, actions });
      await run.record(problem.addActions(saved));
    } finally {
      run.savingActionsFor.delete(incidentId);
    }
  });

  setHandler(
    investigateProblemUpdate,
    async ({ by, owner, rcaMethod }) => {
      await run.record(problem.investigate({ owner, rcaMethod }), by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.investigateRefusal(request ?? {})) },
  );

  setHandler(
    recordRootCauseUpdate,
    async ({ by, rcaMethod, findings, rootCause }) => {
      await run.record(problem.recordRootCause({ rcaMethod, findings, rootCause }), by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.rootCauseRefusal(request ?? {})) },
  );

  setHandler(
    declareKnownErrorUpdate,
    async ({ by, workaround, title }) => {
      run.publishing = true;
      try {
        const { articleId } = await records.publishKnownError({
          problemId,
          title: title?.trim() || `Known error: ${input.title}`,
          workaround,
          rootCause: problem.snapshot().rootCause,
          actor: by.id,
        });
        await run.record(problem.declareKnownError({ workaround, articleId }), by.id);
      } finally {
        run.publishing = false;
      }
      return problem.snapshot();
    },
    {
      validator: (request) => {
        if (run.publishing) refuse({ code: 'conflict', message: `a known error of ${problemId} is being published` });
        refuse(actorRefusal(request?.by) ?? problem.knownErrorRefusal(request ?? {}));
      },
    },
  );

  setHandler(
    startFixUpdate,
    async ({ by, changeId }) => {
      run.nextFixPoll = Date.now();
      await run.record(problem.startFix(changeId), by.id);
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
      await run.record(fact, by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.completeActionRefusal(String(request?.actionId))) },
  );

  setHandler(
    closeProblemUpdate,
    async ({ by }) => {
      await run.record(problem.close(new Date(), `closed by ${by.id}`), by.id);
      return problem.snapshot();
    },
    { validator: (request) => refuse(actorRefusal(request?.by) ?? problem.closeRefusal()) },
  );
}
