import { CHANGE_STATES } from './change-vocabulary';
import { ChangeLifecycle, ChangeStateConflict, canMoveChange, isFinalChangeState, transitionRefusal } from './change-lifecycle';

const at = new Date('2026-11-30T10:00:00Z');

describe('ChangeLifecycle', () => {
  it('starts submitted and records each transition with its actor and time', () => {
    const change = new ChangeLifecycle('CHG-000001', 'h1');
    change.moveTo('assessing', at, 'system');
    change.moveTo('awaiting_approval', new Date('2026-11-30T10:00:01Z'), 'system');
    expect(change.state).toBe('awaiting_approval');
    expect(change.snapshot()).toEqual({
      changeId: 'CHG-000001',
      state: 'awaiting_approval',
      planHash: 'h1',
      transitions: [
        { from: 'submitted', to: 'assessing', at: '2026-11-30T10:00:00.000Z', actor: 'system' },
        { from: 'assessing', to: 'awaiting_approval', at: '2026-11-30T10:00:01.000Z', actor: 'system' },
      ],
    });
  });

  it('refuses a transition the process does not have', () => {
    const change = new ChangeLifecycle('CHG-000002', 'h');
    expect(() => change.moveTo('implementing', at, 'system')).toThrow(ChangeStateConflict);
    expect(change.state).toBe('submitted');
    expect(change.transitions).toHaveLength(0);
  });

  it('allows a cancel before implementation and refuses it after', () => {
    const change = new ChangeLifecycle('CHG-000003', 'h');
    change.moveTo('assessing', at, 'system');
    change.moveTo('awaiting_approval', at, 'system');
    expect(change.cancelRefusal()).toBeUndefined();
    change.moveTo('scheduled', at, 'system');
    change.moveTo('implementing', at, 'system');
    expect(change.cancelRefusal()).toBe('change CHG-000003 is implementing and can no longer be cancelled');
  });

  it('keeps the snapshot a copy, so a query cannot mutate the workflow state', () => {
    const change = new ChangeLifecycle('CHG-000004', 'h');
    change.moveTo('assessing', at, 'system');
    change.snapshot().transitions.pop();
    expect(change.transitions).toHaveLength(1);
  });
});

describe('the change state graph', () => {
  it('has final states with no way out, and every other state has one', () => {
    const finals = CHANGE_STATES.filter(isFinalChangeState);
    expect(finals.sort()).toEqual(['cancelled', 'completed', 'failed', 'rejected', 'rolled_back']);
    for (const final of finals) for (const to of CHANGE_STATES) expect(canMoveChange(final, to)).toBe(false);
  });

  it('never reaches implementing except from scheduled', () => {
    const from = CHANGE_STATES.filter((s) => canMoveChange(s, 'implementing'));
    expect(from).toEqual(['scheduled']);
  });
});

describe('transitionRefusal: the read model moves only as the lifecycle allows', () => {
  it('accepts a transition from the stored state that the lifecycle has', () => {
    expect(transitionRefusal('CHG-000009', 'implementing', { from: 'implementing', to: 'rolling_back' })).toBeUndefined();
  });

  it('refuses a move the lifecycle does not have from the stored state', () => {
    expect(transitionRefusal('CHG-000009', 'completed', { from: 'completed', to: 'rolling_back' })).toBe('change CHG-000009 cannot move from completed to rolling_back');
    expect(transitionRefusal('CHG-000009', 'awaiting_approval', { from: 'awaiting_approval', to: 'implementing' })).toMatch(/cannot move from awaiting_approval to implementing/);
  });

  it('refuses a transition that does not start where the change is (a stale or foreign sequence)', () => {
    expect(transitionRefusal('CHG-000009', 'implementing', { from: 'verifying', to: 'rolling_back' })).toBe(
      'change CHG-000009 is implementing, not verifying: the transition to rolling_back does not follow from it',
    );
    expect(transitionRefusal('CHG-000009', 'failed', { from: 'implementing', to: 'rolling_back' })).toMatch(/is failed, not implementing/);
  });
});
