import { ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { ActivityInterfaceOf, ChangeActivities, ChangeExecutionActivities } from '@steward/activities';
import type { ChangeState, ChangeWorkflowInput } from '@steward/contracts';
import { ChangeCase, type ChangeRefusal } from '@steward/domain';

export const records = proxyActivities<ActivityInterfaceOf<ChangeActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// Executors heartbeat; a worker that dies mid-step is noticed within the heartbeat timeout and
// the step is retried with the same idempotency key.
export const execution = proxyActivities<ActivityInterfaceOf<ChangeExecutionActivities>>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export const SYSTEM = 'steward';

/** Refuses a message: its code reaches the API as the StewardError code (403/409/400). */
export const refuse = (refusal: Pick<ChangeRefusal, 'code' | 'message'>): never => {
  throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
};

/** What messages tell the main line while it waits: each wait names the ones that wake it. */
export interface Wakeups {
  planRevised: boolean;
  calendarChanged: boolean;
  rescheduled: boolean;
}

/** One run of the change workflow: its rules (the case), what wakes it, and how it records moves. */
export interface ChangeRun {
  readonly input: ChangeWorkflowInput;
  readonly change: ChangeCase;
  readonly wake: Wakeups;
  /** Runs started with one-activity-per-decision verify and record a decision in one call. */
  readonly oneActivityPerDecision: boolean;
  /** Moves the change and records the move after those before it. */
  moveTo(to: ChangeState, actor: string, reason?: string): Promise<void>;
  /** The main line's own moves; none once a message has ended the change or it is there already. */
  advance(to: ChangeState, reason?: string): Promise<void>;
  /** Resolves once every move made so far is recorded. */
  recorded(): Promise<void>;
}

export function openChangeRun(input: ChangeWorkflowInput): ChangeRun {
  // Changes started before this rule counted a plan author's vote, and the handlers re-check votes
  // when they replay; only changes started with the rule apply it, so their histories stay valid.
  const planAuthorsMayNotApprove = patched('plan-authors-may-not-approve');
  // Runs started before this verify a decision and record it in two activities; they keep doing so.
  const oneActivityPerDecision = patched('one-activity-per-decision');
  const change = new ChangeCase({
    changeId: input.changeId,
    requesterId: input.requester.id,
    planHash: input.planHash,
    steps: input.steps,
    settings: input.settings,
    planAuthorsMayNotApprove,
  });

  // Transitions are recorded one after another, in the order they happened, even when a
  // message handler moves the change while the main line is still recording its own move.
  let recording: Promise<void> = Promise.resolve();
  const moveTo = (to: ChangeState, actor: string, reason?: string): Promise<void> => {
    const { transition, sequence } = change.moveTo(to, new Date(), actor, reason);
    recording = recording.then(() => records.recordChangeTransition({ changeId: input.changeId, sequence, transition }));
    return recording;
  };
  // A cancel can arrive in the very first workflow task, before the main line has moved at all.
  const advance = (to: ChangeState, reason?: string): Promise<void> => (change.isFinal || change.state === to ? recording : moveTo(to, SYSTEM, reason));

  return {
    input,
    change,
    wake: { planRevised: false, calendarChanged: false, rescheduled: false },
    oneActivityPerDecision,
    moveTo,
    advance,
    recorded: () => recording,
  };
}
