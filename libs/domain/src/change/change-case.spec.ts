import type { ApproverIdentity, PolicySnapshot, RiskAssessment, SignedDecision } from './approval-vocabulary';
import type { PlanStep } from './change-vocabulary';
import { ChangeCase, type ChangeCaseInput } from './change-case';

const PLAN = 'a'.repeat(64);
const REVISED = 'b'.repeat(64);
const step = (id: string, estimatedMinutes = 5): PlanStep => ({
  id,
  name: id,
  kind: 'automated',
  action: { executor: 'simulated', outcome: 'succeed' },
  rollback: { executor: 'simulated', outcome: 'succeed' },
  estimatedMinutes,
});
const policy: PolicySnapshot = {
  policyId: 'normal-low',
  version: 1,
  name: 'Normal change, low risk',
  rules: [{ id: 'owner:team-a', description: '1 approval from the owner group team-a', count: 1, groups: ['team-a'] }],
};
const risk = { level: 'low', score: 1, factors: [] } as unknown as RiskAssessment;
const olga: ApproverIdentity = { id: 'olga', name: 'Olga', roles: ['cab_member'], groups: ['team-a'] };
const omar: ApproverIdentity = { id: 'omar', name: 'Omar', roles: ['cab_member'], groups: ['team-a'] };
const T0 = Date.parse('2026-12-01T09:00:00Z');

const newCase = (over: Partial<ChangeCaseInput> = {}) =>
  new ChangeCase({ changeId: 'CHG-000001', requesterId: 'rita', planHash: PLAN, steps: [step('deploy')], settings: { windowClosePolicy: 'rollback', sodImplementer: 'distinct' }, planAuthorsMayNotApprove: true, ...over });

const decision = (approver: ApproverIdentity, over: Partial<SignedDecision> = {}): SignedDecision => ({
  changeId: 'CHG-000001',
  planHash: PLAN,
  approver,
  decision: 'approve',
  comment: 'fine',
  at: new Date(T0 + 60_000).toISOString(),
  signature: 's'.repeat(86),
  ...over,
});

/** A change assessed under `policy` and awaiting approval until T0 + 1 h. */
function awaitingApproval(over: Partial<ChangeCaseInput> = {}): ChangeCase {
  const change = newCase(over);
  change.moveTo('assessing', new Date(T0), 'steward');
  change.assessed({ risk, policy, standardAuthorized: false });
  change.openApproval(T0, 3_600_000);
  change.moveTo('awaiting_approval', new Date(T0), 'steward');
  return change;
}

describe('ChangeCase', () => {
  describe('decisions', () => {
    it('counts an eligible vote and approves once every rule holds', () => {
      const change = awaitingApproval();
      expect(change.decisionRefusal(decision(olga))).toBeUndefined();
      expect(change.evaluation()?.outcome).toBe('pending');
      change.countDecision(decision(olga));
      expect(change.evaluation()?.outcome).toBe('approved');
      expect(change.snapshot().approvals).toEqual([expect.objectContaining({ approver: 'olga', decision: 'approve', voided: false })]);
    });

    it('refuses a decision before the change was assessed, and one for another change', () => {
      const change = newCase();
      expect(change.decisionRefusal(decision(olga))).toEqual({ code: 'conflict', reason: 'not_awaiting_approval', message: 'change is submitted, not awaiting approval' });
      expect(awaitingApproval().decisionRefusal(decision(olga, { changeId: 'CHG-000002' }))).toMatchObject({ code: 'invalid', reason: 'wrong_change' });
    });

    it('refuses a second decision by an approver whose first is still being checked, as already voted', () => {
      const change = awaitingApproval();
      change.beginDeciding('olga');
      expect(change.decisionInFlight).toBe(true);
      expect(change.decisionRefusal(decision(olga))).toEqual({ code: 'conflict', reason: 'already_voted', message: 'olga has already voted on this plan' });
      expect(change.decisionRefusal(decision(omar))).toBeUndefined();
      change.endDeciding('olga');
      expect(change.decisionInFlight).toBe(false);
      expect(change.decisionRefusal(decision(olga))).toBeUndefined();
    });

    it('rechecks a decision after its signature was verified, ignoring only its own "already voted"', () => {
      const change = awaitingApproval();
      change.beginDeciding('olga');
      expect(change.lateDecisionRefusal(decision(olga))).toBeUndefined();
      expect(change.lateDecisionRefusal(decision(olga, { changeId: 'CHG-000002' }))).toMatchObject({ code: 'invalid', reason: 'wrong_change' });
      // Its own mark answers before the state does: a move meanwhile does not refuse it (as runs before one-activity-per-decision did).
      change.moveTo('cancelled', new Date(T0 + 1000), 'rita', 'not needed');
      expect(change.lateDecisionRefusal(decision(olga))).toBeUndefined();
      expect(change.decisionRefusal(decision(omar))).toMatchObject({ code: 'conflict', reason: 'not_awaiting_approval' });
    });

    it('refuses a vote counted already on this plan, the requester, and a late one, each by its rule', () => {
      const change = awaitingApproval();
      change.countDecision(decision(olga, { decision: 'request_changes' }));
      expect(change.decisionRefusal(decision(olga))?.reason).toBe('already_voted');
      expect(change.decisionRefusal(decision({ ...olga, id: 'rita' }))?.reason).toBe('segregation_of_duties');
      expect(change.decisionRefusal(decision(omar, { at: new Date(T0 + 3_600_001).toISOString() }))).toMatchObject({ code: 'conflict', reason: 'deadline_passed' });
    });

    it('voids every decision, after which the same approver may vote again', () => {
      const change = awaitingApproval();
      change.countDecision(decision(olga, { decision: 'request_changes' }));
      expect(change.evaluation()?.outcome).toBe('changes_requested');
      change.voidDecisions();
      expect(change.approvalRecords().map((a) => a.voided)).toEqual([true]);
      expect(change.evaluation()?.outcome).toBe('pending');
      expect(change.decisionRefusal(decision(olga))).toBeUndefined();
      expect(change.lastDecision()?.decision).toBe('request_changes');
    });
  });

  describe('the plan', () => {
    it('is editable until implementation, and refuses an incomplete or identical revision', () => {
      const change = awaitingApproval();
      const plan = { steps: [step('deploy')] };
      expect(change.revisePlanRefusal({ planHash: REVISED, plan })).toBeUndefined();
      expect(change.revisePlanRefusal({ planHash: PLAN, plan })).toMatchObject({ code: 'conflict', reason: 'plan_unchanged' });
      expect(change.revisePlanRefusal({ planHash: 'nope', plan })).toMatchObject({ code: 'invalid', reason: 'plan_incomplete' });
      expect(change.revisePlanRefusal({ planHash: REVISED, plan: { steps: [] } })).toMatchObject({ reason: 'plan_incomplete' });
      change.moveTo('scheduled', new Date(T0), 'steward');
      expect(change.revisePlanRefusal({ planHash: REVISED, plan })).toBeUndefined();
      change.moveTo('implementing', new Date(T0), 'steward');
      expect(change.revisePlanRefusal({ planHash: REVISED, plan })).toEqual({ code: 'conflict', reason: 'plan_not_editable', message: 'change is implementing: its plan can no longer be edited' });
    });

    it('restarts the steps of a revised plan, binds votes to it, and keeps its author from approving it', () => {
      const change = awaitingApproval();
      change.setStep('deploy', 'succeeded');
      change.revisePlan([step('deploy'), step('smoke')], REVISED, 'omar');
      expect(change.planHash).toBe(REVISED);
      expect(change.snapshot().steps).toEqual([
        { id: 'deploy', state: 'pending' },
        { id: 'smoke', state: 'pending' },
      ]);
      expect(change.estimatedMinutes()).toBe(10);
      expect(change.decisionRefusal(decision(olga))).toMatchObject({ reason: 'stale_plan' });
      expect(change.decisionRefusal(decision(omar, { planHash: REVISED }))).toEqual({ code: 'forbidden', reason: 'segregation_of_duties', message: 'the author of a plan revision cannot approve it' });
      expect(change.decisionRefusal(decision(olga, { planHash: REVISED }))).toBeUndefined();
    });

    it('lets a plan author approve in changes started before that rule', () => {
      const change = awaitingApproval({ planAuthorsMayNotApprove: false });
      change.revisePlan([step('deploy')], REVISED, 'omar');
      expect(change.decisionRefusal(decision(omar, { planHash: REVISED }))).toBeUndefined();
    });
  });

  describe('scheduling', () => {
    it('may be rescheduled until implementation, to a window that ends after it starts', () => {
      const change = newCase();
      const window = { start: '2026-12-02T01:00:00Z', end: '2026-12-02T02:00:00Z' };
      expect(change.rescheduleRefusal(window)).toBeUndefined();
      expect(change.rescheduleRefusal({ start: window.end, end: window.start })).toMatchObject({ code: 'invalid', reason: 'window_invalid' });
      change.reschedule(window);
      expect(change.requestedWindow).toEqual(window);
      for (const to of ['assessing', 'scheduled', 'implementing'] as const) change.moveTo(to, new Date(T0), 'steward');
      expect(change.rescheduleRefusal(window)).toEqual({ code: 'conflict', reason: 'not_reschedulable', message: 'change is implementing and can no longer be rescheduled' });
    });
  });

  describe('the window and its close', () => {
    it('starts a step only if its estimate fits before the window ends', () => {
      const change = newCase();
      const end = T0 + 5 * 60_000;
      expect(change.fitsWindow(step('s', 5), T0, end)).toBe(true);
      expect(change.fitsWindow(step('s', 5), T0 + 1, end)).toBe(false);
    });

    it('skips a step that no longer fits under the rollback policy, with no hold', () => {
      const change = newCase();
      expect(change.holdsAtWindowClose).toBe(false);
      expect(change.skipsUnfittingStep()).toBe(true);
      expect(change.holdRefusal({ id: 'dave' })).toMatchObject({ code: 'conflict', reason: 'not_held' });
    });

    it('holds under the hold policy until a change manager decides, and skips only on rollback', () => {
      const change = newCase({ settings: { windowClosePolicy: 'hold', sodImplementer: 'distinct' } });
      expect(change.holdsAtWindowClose).toBe(true);
      change.hold();
      expect(change.holdResolved).toBe(false);
      expect(change.holdRefusal({ id: 'rita' })).toMatchObject({ code: 'forbidden', reason: 'segregation_of_duties' });
      expect(change.holdRefusal({ id: 'dave' })).toBeUndefined();
      change.resolveHold('continue');
      expect(change.holdResolved).toBe(true);
      expect(change.skipsUnfittingStep()).toBe(false);
      change.releaseHold();
      expect(change.holdRefusal({ id: 'dave' })?.reason).toBe('not_held');
      change.hold();
      change.resolveHold('rollback');
      expect(change.skipsUnfittingStep()).toBe(true);
    });
  });

  describe('manual steps', () => {
    it('takes a completion only for the step waiting, from someone else than the requester', () => {
      const change = newCase();
      const completion = { actor: { id: 'erin', name: 'Erin' }, stepId: 'deploy', outcome: 'succeeded' as const, notes: 'done' };
      expect(change.completeStepRefusal(completion)).toMatchObject({ code: 'conflict', reason: 'step_not_waiting' });
      change.awaitManualStep('deploy', 'action');
      expect(change.completeStepRefusal({ ...completion, actor: { id: 'rita', name: 'Rita' } })).toMatchObject({ code: 'forbidden', reason: 'segregation_of_duties' });
      expect(change.completeStepRefusal({ ...completion, outcome: 'maybe' as never })).toMatchObject({ code: 'invalid', reason: 'outcome_invalid' });
      expect(change.completeStepRefusal(completion)).toBeUndefined();
      change.completeStep(completion);
      expect(change.manualResult('deploy')).toEqual(completion);
      change.stopAwaitingManual();
      expect(change.completeStepRefusal(completion)?.reason).toBe('step_not_waiting');
      // Waiting again (the rollback phase) forgets the earlier completion.
      change.awaitManualStep('deploy', 'rollback');
      expect(change.manualResult('deploy')).toBeUndefined();
    });

    it('lets the requester complete steps when SOD_IMPLEMENTER is any', () => {
      const change = newCase({ settings: { windowClosePolicy: 'rollback', sodImplementer: 'any' } });
      change.awaitManualStep('deploy', 'action');
      expect(change.completeStepRefusal({ actor: { id: 'rita', name: 'Rita' }, stepId: 'deploy', outcome: 'failed', notes: 'no' })).toBeUndefined();
    });
  });

  describe('cancel and the outcome', () => {
    it('cancels before implementation with an actor and a reason, and ends with that reason', () => {
      const change = newCase();
      expect(change.cancelRefusal({ actor: { id: 'rita' }, reason: ' ' })).toMatchObject({ code: 'invalid', reason: 'cancel_incomplete' });
      expect(change.cancelRefusal({ actor: { id: 'rita' }, reason: 'not needed' })).toBeUndefined();
      const { sequence, transition } = change.moveTo('cancelled', new Date(T0), 'rita', 'not needed');
      expect(sequence).toBe(1);
      expect(transition).toMatchObject({ from: 'submitted', to: 'cancelled', actor: 'rita' });
      expect(change.outcome()).toEqual({ changeId: 'CHG-000001', state: 'cancelled', reason: 'not needed' });
      expect(change.snapshot().endReason).toBe('not needed');
      expect(change.cancelRefusal({ actor: { id: 'rita' }, reason: 'again' })).toMatchObject({ code: 'conflict', reason: 'not_cancellable' });
    });

    it('keeps the reason of the final move only', () => {
      const change = awaitingApproval();
      change.moveTo('scheduled', new Date(T0), 'steward', 'approved');
      expect(change.outcome().reason).toBeUndefined();
    });
  });
});
