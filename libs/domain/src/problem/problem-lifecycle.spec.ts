import { ProblemLifecycle } from './problem-lifecycle';
import { formatArticleId, formatProblemId, incidentSignature, isArticleId, isProblemId } from './problem-number';

const at = new Date('2026-03-02T10:00:00Z');
const action = (id: string, dueAt: string, incidentId = 'INC-000001') => ({ id, incidentId, title: `action ${id}`, owner: 'olga', dueAt, state: 'open' as const });

/** A problem with its root cause recorded, ready to become a known error or take a fix. */
function diagnosed(): ProblemLifecycle {
  const problem = ProblemLifecycle.open('PRB-000001');
  problem.investigate({ owner: 'pam', rcaMethod: '5 whys' });
  problem.recordRootCause({ findings: 'pool exhausted at peak', rootCause: 'connection leak in the retry path' });
  return problem;
}

describe('problem numbers', () => {
  it('formats and recognises problem and article ids', () => {
    expect(formatProblemId(45)).toBe('PRB-000045');
    expect(formatArticleId(7)).toBe('KB-000007');
    expect(isProblemId('PRB-000045')).toBe(true);
    expect(isProblemId('PRB-45')).toBe(false);
    expect(isArticleId('KB-000007')).toBe(true);
    expect(() => formatProblemId(0)).toThrow(RangeError);
  });

  it('has no signature without a category', () => {
    expect(incidentSignature('app-payments', 'timeout')).toBe('app-payments|timeout');
    expect(incidentSignature('app-payments', null)).toBeNull();
  });
});

describe('ProblemLifecycle', () => {
  it('walks new -> investigating -> known_error -> fix_in_progress -> resolved -> observation -> closed', () => {
    const problem = ProblemLifecycle.open('PRB-000001');
    expect(problem.investigate({ owner: 'pam', rcaMethod: '5 whys' })).toMatchObject({ type: 'investigating', data: { from: 'new' } });
    problem.recordRootCause({ findings: 'f', rootCause: 'r' });
    expect(problem.declareKnownError({ workaround: 'restart the pool', articleId: 'KB-000001' }).type).toBe('known_error');
    expect(problem.startFix('CHG-000010').type).toBe('fix_in_progress');
    expect(problem.fixEnded('completed', at)).toMatchObject({ type: 'resolved', data: { changeId: 'CHG-000010' } });
    problem.observe(new Date(at.getTime() + 1000));
    expect(problem.state).toBe('observation');
    expect(problem.closesOnItsOwn(at)).toBe(false);
    expect(problem.closesOnItsOwn(new Date(at.getTime() + 1000))).toBe(true);
    problem.close(at, 'observation ended');
    expect(problem.snapshot()).toMatchObject({ state: 'closed', knownErrorArticleId: 'KB-000001', workaround: 'restart the pool', closedAt: at.toISOString() });
  });

  it('refuses steps out of order, naming the state', () => {
    const problem = ProblemLifecycle.open('PRB-000001');
    expect(problem.rootCauseRefusal({ findings: 'f', rootCause: 'r', rcaMethod: 'x' })).toMatchObject({ code: 'conflict' });
    expect(problem.knownErrorRefusal({ workaround: 'w' })?.message).toMatch(/is new/);
    expect(problem.fixRefusal({ changeId: 'CHG-000001' })).toMatchObject({ code: 'conflict' });
    expect(problem.closeRefusal()?.message).toMatch(/is new/);
    problem.investigate({ owner: 'pam', rcaMethod: 'fishbone' });
    expect(problem.knownErrorRefusal({ workaround: 'w' })?.message).toMatch(/root cause/);
    expect(problem.fixRefusal({ changeId: 'CHG-000001' })?.message).toMatch(/root cause/);
  });

  it('refuses blank input as invalid', () => {
    const problem = ProblemLifecycle.open('PRB-000001');
    expect(problem.investigateRefusal({ owner: ' ', rcaMethod: '5 whys' })).toMatchObject({ code: 'invalid' });
    problem.investigate({ owner: 'pam', rcaMethod: '5 whys' });
    expect(problem.rootCauseRefusal({ findings: '', rootCause: 'r' })).toMatchObject({ code: 'invalid' });
    expect(problem.knownErrorRefusal({ workaround: '' })).toMatchObject({ code: 'invalid' });
  });

  it('lets a fix start from an investigation that has its root cause', () => {
    const problem = diagnosed();
    expect(problem.fixRefusal({ changeId: 'CHG-000002' })).toBeUndefined();
  });

  it('returns to investigating, with the reason, when the fix change does not complete', () => {
    const problem = diagnosed();
    problem.startFix('CHG-000002');
    expect(problem.fixEnded('rolled_back', at)).toMatchObject({ type: 'investigating', data: { reason: 'fix change CHG-000002 ended rolled_back' } });
    expect(problem.snapshot()).toMatchObject({ state: 'investigating', fixChangeId: null, reopenReason: 'fix change CHG-000002 ended rolled_back' });
    expect(problem.fixRefusal({ changeId: 'CHG-000003' })).toBeUndefined();
  });

  it('reopens on a recurrence during observation, but not on a plain attach or a repeat', () => {
    const problem = diagnosed();
    problem.startFix('CHG-000002');
    problem.fixEnded('completed', at);
    problem.observe(new Date(at.getTime() + 60_000));
    expect(problem.attach({ incidentId: 'INC-000009', recurrence: false }).map((f) => f.type)).toEqual(['incident_attached']);
    expect(problem.state).toBe('observation');
    expect(problem.attach({ incidentId: 'INC-000009', recurrence: true })).toEqual([]);
    expect(problem.attach({ incidentId: 'INC-000010', recurrence: true }).map((f) => f.type)).toEqual(['incident_attached', 'investigating']);
    expect(problem.snapshot()).toMatchObject({ state: 'investigating', observationUntil: null, reopenReason: 'incident INC-000010 recurred during observation' });
  });

  it('does not reopen on a recurrence before the problem is resolved', () => {
    const problem = diagnosed();
    problem.attach({ incidentId: 'INC-000010', recurrence: true });
    expect(problem.state).toBe('investigating');
  });

  it('refuses to close while actions are open, naming them, and closes once they are done', () => {
    const problem = diagnosed();
    problem.declareKnownError({ workaround: 'w', articleId: 'KB-000001' });
    problem.addActions([action('7', '2026-03-05T00:00:00Z'), action('8', '2026-03-06T00:00:00Z')]);
    const refusal = problem.closeRefusal();
    expect(refusal).toMatchObject({ code: 'conflict' });
    expect(refusal?.message).toContain('7 "action 7" (olga, due 2026-03-05T00:00:00Z)');
    expect(refusal?.message).toContain('8 "action 8"');
    problem.completeAction('7', 'olga', at);
    problem.completeAction('8', 'olga', at);
    expect(problem.closeRefusal()).toBeUndefined();
  });

  it('does not close on its own after observation while an action is open', () => {
    const problem = diagnosed();
    problem.addActions([action('1', '2026-03-05T00:00:00Z')]);
    problem.startFix('CHG-000002');
    problem.fixEnded('completed', at);
    problem.observe(at);
    expect(problem.closesOnItsOwn(at)).toBe(false);
    problem.completeAction('1', 'olga', at);
    expect(problem.closesOnItsOwn(at)).toBe(true);
  });

  it('escalates each overdue action once, earliest first', () => {
    const problem = ProblemLifecycle.open('PRB-000001');
    problem.addActions([action('1', '2026-03-02T09:00:00Z'), action('2', '2026-03-02T11:00:00Z')]);
    expect(problem.nextActionDue()).toBe(Date.parse('2026-03-02T09:00:00Z'));
    expect(problem.overdueActions(at).map((a) => a.id)).toEqual(['1']);
    expect(problem.markEscalated('1', at)).toMatchObject({ type: 'action_overdue', data: { actionId: '1', owner: 'olga' } });
    expect(problem.overdueActions(at)).toEqual([]);
    expect(problem.nextActionDue()).toBe(Date.parse('2026-03-02T11:00:00Z'));
    problem.completeAction('2', 'olga', at);
    expect(problem.nextActionDue()).toBeUndefined();
  });

  it('refuses unknown and finished actions', () => {
    const problem = ProblemLifecycle.open('PRB-000001');
    problem.addActions([action('1', '2026-03-02T09:00:00Z')]);
    expect(problem.completeActionRefusal('2')).toMatchObject({ code: 'not_found' });
    problem.completeAction('1', 'olga', at);
    expect(problem.completeActionRefusal('1')).toMatchObject({ code: 'conflict' });
    expect(problem.addActions([action('1', '2026-03-02T09:00:00Z')])).toEqual([]);
  });

  it('refuses everything once closed, and survives a snapshot round trip', () => {
    const problem = diagnosed();
    problem.declareKnownError({ workaround: 'w', articleId: 'KB-000001' });
    const copy = ProblemLifecycle.resume(problem.snapshot());
    copy.close(at, 'accepted');
    expect(problem.state).toBe('known_error');
    expect(copy.closeRefusal()).toMatchObject({ code: 'conflict', message: 'problem PRB-000001 is closed' });
    expect(copy.investigateRefusal({ owner: 'a', rcaMethod: 'b' })).toMatchObject({ code: 'conflict' });
    expect(copy.attach({ incidentId: 'INC-000002', recurrence: true })).toEqual([]);
  });
});
