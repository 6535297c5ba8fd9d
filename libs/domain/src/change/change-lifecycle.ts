import type { ChangeState, ChangeTransition } from './change-vocabulary';
import { StewardError } from '../steward-error';

/** Which state may follow which. Anything not listed is a bug in the caller, not a user error. */
const NEXT_STATES: Readonly<Record<ChangeState, readonly ChangeState[]>> = {
  submitted: ['assessing', 'cancelled'],
  assessing: ['awaiting_approval', 'scheduled', 'rejected', 'cancelled'],
  awaiting_approval: ['changes_requested', 'scheduled', 'rejected', 'cancelled', 'assessing'],
  changes_requested: ['assessing', 'cancelled'],
  scheduled: ['implementing', 'assessing', 'cancelled'],
  implementing: ['verifying', 'rolling_back', 'failed'],
  verifying: ['completed', 'rolling_back'],
  rolling_back: ['rolled_back', 'failed'],
  completed: [],
  rolled_back: [],
  rejected: [],
  cancelled: [],
  failed: [],
};

/** States in which nothing has been touched yet, so a cancel needs no rollback. */
const CANCELLABLE: ReadonlySet<ChangeState> = new Set([
  'submitted',
  'assessing',
  'awaiting_approval',
  'changes_requested',
  'scheduled',
]);

export class ChangeStateConflict extends StewardError {
  constructor(
    readonly changeId: string,
    readonly state: ChangeState,
    readonly attempted: string,
  ) {
    super('conflict', `change ${changeId} is ${state}: cannot ${attempted}`, { changeId, state });
    this.name = 'ChangeStateConflict';
  }
}

/** The states a change never leaves. */
export const FINAL_CHANGE_STATES: readonly ChangeState[] = (Object.keys(NEXT_STATES) as ChangeState[]).filter((state) => NEXT_STATES[state].length === 0);

export function isFinalChangeState(state: ChangeState): boolean {
  return NEXT_STATES[state].length === 0;
}

export function canMoveChange(from: ChangeState, to: ChangeState): boolean {
  return NEXT_STATES[from].includes(to);
}

/**
 * The state machine of one change, as the workflow holds it. Pure: the workflow supplies the
 * time (its deterministic clock) and records each transition through an activity.
 */
export class ChangeLifecycle {
  private current: ChangeState = 'submitted';
  private readonly history: ChangeTransition[] = [];

  constructor(
    readonly changeId: string,
    private planHash: string,
  ) {}

  get state(): ChangeState {
    return this.current;
  }

  get isFinal(): boolean {
    return isFinalChangeState(this.current);
  }

  get transitions(): readonly ChangeTransition[] {
    return this.history;
  }

  /** Refuses with the reason a requester would be told, or returns nothing when a cancel is allowed. */
  cancelRefusal(): string | undefined {
    return CANCELLABLE.has(this.current) ? undefined : `change ${this.changeId} is ${this.current} and can no longer be cancelled`;
  }

  moveTo(to: ChangeState, at: Date, actor: string, reason?: string): ChangeTransition {
    if (!canMoveChange(this.current, to)) throw new ChangeStateConflict(this.changeId, this.current, `move to ${to}`);
    const transition: ChangeTransition = { from: this.current, to, at: at.toISOString(), actor, ...(reason ? { reason } : {}) };
    this.current = to;
    this.history.push(transition);
    return transition;
  }

  snapshot(): { changeId: string; state: ChangeState; planHash: string; transitions: ChangeTransition[] } {
    return { changeId: this.changeId, state: this.current, planHash: this.planHash, transitions: [...this.history] };
  }
}

/**
 * Why a recorded transition may not be applied to a change stored in `stored`, or nothing when
 * it may: it must start where the change is and be a move the lifecycle allows from there.
 */
export function transitionRefusal(changeId: string, stored: ChangeState, transition: Pick<ChangeTransition, 'from' | 'to'>): string | undefined {
  if (transition.from !== stored) return `change ${changeId} is ${stored}, not ${transition.from}: the transition to ${transition.to} does not follow from it`;
  if (!canMoveChange(stored, transition.to)) return `change ${changeId} cannot move from ${stored} to ${transition.to}`;
  return undefined;
}
