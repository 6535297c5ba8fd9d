import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ActivityInterfaceOf, ChangeActivities } from '@steward/activities';
import {
  cancelChangeUpdate,
  changeStateQuery,
  type ChangeOutcome,
  type ChangeState,
  type ChangeWorkflowInput,
} from '@steward/contracts';
import { ChangeLifecycle } from '@steward/domain';

const { recordChangeTransition } = proxyActivities<ActivityInterfaceOf<ChangeActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const SYSTEM = 'steward';

/**
 * One change request, from submission to its end. The state machine lives in ChangeLifecycle;
 * this function is the process: it moves the change on, records every move, and answers
 * messages. Risk, approval, scheduling and implementation arrive with change enablement.
 */
export async function changeWorkflow(input: ChangeWorkflowInput): Promise<ChangeOutcome> {
  const change = new ChangeLifecycle(input.changeId, input.planHash);
  let lastReason: string | undefined;

  // Transitions are recorded one after another, in the order they happened, even when a
  // message handler moves the change while the main line is still recording its own move.
  let recording: Promise<void> = Promise.resolve();
  const moveTo = (to: ChangeState, actor: string, reason?: string): Promise<void> => {
    const transition = change.moveTo(to, new Date(), actor, reason);
    const sequence = change.transitions.length;
    lastReason = reason;
    recording = recording.then(() => recordChangeTransition({ changeId: input.changeId, sequence, transition }));
    return recording;
  };

  // Messages
  setHandler(changeStateQuery, () => change.snapshot());
  setHandler(
    cancelChangeUpdate,
    async ({ actor, reason }) => {
      await moveTo('cancelled', actor.id, reason);
      return change.snapshot();
    },
    {
      validator: ({ actor, reason }) => {
        if (!actor?.id || !reason?.trim()) throw ApplicationFailure.create({ type: 'invalid', message: 'a cancel needs an actor and a reason' });
        const refusal = change.cancelRefusal();
        if (refusal) throw ApplicationFailure.create({ type: 'conflict', message: refusal });
      },
    },
  );

  // The main line's own moves; none once a message has ended the change (a cancel can
  // arrive in the very first workflow task, before the main line has moved at all).
  const advance = (to: ChangeState): Promise<void> => (change.isFinal ? Promise.resolve() : moveTo(to, SYSTEM));

  // Main line
  await advance('assessing');
  await advance('awaiting_approval');

  await condition(() => change.isFinal);
  await recording;
  // A handler that ended the change (cancel) must answer its caller before the run closes.
  await condition(allHandlersFinished);
  return { changeId: input.changeId, state: change.state, ...(lastReason ? { reason: lastReason } : {}) };
}
