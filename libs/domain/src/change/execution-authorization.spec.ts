import type { PolicySnapshot } from './approval-vocabulary';
import { CHANGE_STATES, STEP_STATES, type PlanStep } from './change-vocabulary';
import {
  CLOCK_SKEW_MS,
  RUN_RECORDING_GRACE_MS,
  admission,
  authorizationBasis,
  authorizationCoverage,
  authorizationVerdict,
  canMoveStep,
  executionIdempotencyKey,
  intervalGap,
  pipelineGateRefusals,
  runBinding,
  settlementRefusal,
  type AdmissionFacts,
  type AuthorizationFacts,
  type LedgerEntry,
  type VerifiedApproval,
} from './execution-authorization';

const PLAN = 'a'.repeat(64);
const OTHER_PLAN = 'b'.repeat(64);
const now = new Date('2026-12-06T03:00:00Z');
const windowStart = new Date('2026-12-06T02:30:00Z');
const windowEnd = new Date('2026-12-06T04:00:00Z');
const RUN = 'run-recorded';
const caller = { workflowId: 'change-CHG-000001', runId: RUN };

const steps: PlanStep[] = [
  { id: 'deploy', name: 'Deploy', kind: 'automated', action: { executor: 'http' }, rollback: { executor: 'http' }, estimatedMinutes: 5 },
  { id: 'check', name: 'Check', kind: 'manual', action: { instructions: 'look' }, rollback: { instructions: 'undo' }, estimatedMinutes: 5 },
];

describe('runBinding: only the workflow run Steward recorded writes to a change', () => {
  const base = { changeId: 'CHG-000001', recordedRunId: RUN, caller, submittedAt: new Date(now.getTime() - 3_600_000), now };

  it('binds the recorded run of change-<id>', () => {
    expect(runBinding(base)).toEqual({ verdict: 'bound' });
  });

  it('refuses another run of the same workflow id (a reset, a hand-started workflow) and asks for attention', () => {
    expect(runBinding({ ...base, caller: { ...caller, runId: 'run-after-reset' } })).toEqual({
      verdict: 'refused',
      sameWorkflow: true,
      reason: 'run run-after-reset of change-CHG-000001 is not the run Steward started (run-recorded)',
    });
  });

  it('refuses any other workflow id, even with the recorded run id, without marking the change', () => {
    const verdict = runBinding({ ...base, caller: { workflowId: 'attacker-1', runId: RUN } });
    expect(verdict).toMatchObject({ verdict: 'refused', sameWorkflow: false });
    expect(runBinding({ ...base, caller: { workflowId: 'change-CHG-000002', runId: RUN } })).toMatchObject({ verdict: 'refused', sameWorkflow: false });
  });

  it('refuses a call from outside any activity', () => {
    expect(runBinding({ ...base, caller: null })).toMatchObject({ verdict: 'refused', sameWorkflow: false });
  });

  it('waits for the API to record its run shortly after submission, then refuses for good', () => {
    const fresh = { ...base, recordedRunId: null, submittedAt: new Date(now.getTime() - 1_000) };
    expect(runBinding(fresh)).toMatchObject({ verdict: 'pending' });
    expect(runBinding({ ...fresh, submittedAt: new Date(now.getTime() - RUN_RECORDING_GRACE_MS) })).toMatchObject({ verdict: 'refused', sameWorkflow: true });
    // A foreign workflow id is refused at once, grace or not.
    expect(runBinding({ ...fresh, caller: { workflowId: 'x', runId: 'y' } })).toMatchObject({ verdict: 'refused' });
  });
});

describe('authorizationVerdict: when the gate issues a token', () => {
  const facts: AuthorizationFacts = {
    changeId: 'CHG-000001',
    state: 'implementing',
    callerRunId: RUN,
    recordedRunId: RUN,
    storedPlanHash: PLAN,
    recordedPlanHash: PLAN,
    window: { start: windowStart.toISOString(), end: windowEnd.toISOString() },
    now,
    existing: null,
  };

  it('issues to the recorded run, implementing, inside the interval, for the recorded plan', () => {
    expect(authorizationVerdict(facts)).toEqual({ verdict: 'issue' });
  });

  it.each<[string, Partial<AuthorizationFacts>, RegExp]>([
    ['another run', { callerRunId: 'run-x' }, /is not the workflow run Steward started/],
    ['no run recorded', { recordedRunId: null }, /is not the workflow run Steward started/],
    ['not implementing', { state: 'scheduled' }, /is scheduled, not implementing/],
    ['ended', { state: 'completed' }, /is completed, not implementing/],
    ['a stored plan that is not the approved one', { storedPlanHash: OTHER_PLAN }, /stored plan does not match/],
    ['before the interval', { now: new Date(windowStart.getTime() - CLOCK_SKEW_MS - 1) }, /outside the interval/],
    ['at its end', { now: windowEnd }, /outside the interval/],
    ['an empty interval', { window: { start: windowEnd.toISOString(), end: windowStart.toISOString() } }, /outside the interval/],
    ['a second authorization of another run', { existing: { runId: 'run-old', planHash: PLAN } }, /already authorized once/],
    ['a second authorization of another plan', { existing: { runId: RUN, planHash: OTHER_PLAN } }, /already authorized once/],
  ])('refuses %s', (_name, over, reason) => {
    const verdict = authorizationVerdict({ ...facts, ...over });
    expect(verdict.verdict).toBe('refused');
    expect((verdict as { reason: string }).reason).toMatch(reason);
  });

  it('allows the clock skew before the interval, and re-issues to a retry of the same run', () => {
    expect(authorizationVerdict({ ...facts, now: new Date(windowStart.getTime() - CLOCK_SKEW_MS + 1) })).toEqual({ verdict: 'issue' });
    expect(authorizationVerdict({ ...facts, existing: { runId: RUN, planHash: PLAN } })).toEqual({ verdict: 'reissue' });
  });
});

describe('authorizationBasis: what an authorization rests on', () => {
  const policy: PolicySnapshot = { policyId: 'normal-low', version: 1, name: 'Normal, low', rules: [{ id: 'owner', description: 'owner', count: 1, groups: ['team-a'] }] };
  const olga = { id: 'olga', name: 'Olga', roles: ['cab_member'], groups: ['team-a'] };
  const approval = (over: Partial<VerifiedApproval> = {}): VerifiedApproval => ({
    approver: 'olga', approverName: 'Olga', decision: 'approve', comment: '', planHash: PLAN, at: now.toISOString(), voided: false, identity: olga, signature: 's'.repeat(64), signatureValid: true, ...over,
  });
  const normal = { type: 'normal' as const, planHash: PLAN, requesterId: 'alice', policy, approvals: [approval()] };

  it('rests a normal change on its signed quorum', () => {
    expect(authorizationBasis(normal)).toEqual({
      basis: { model: 'normal', policy: { id: 'normal-low', version: 1, name: 'Normal, low' }, approvals: [{ approver: 'olga', decision: 'approve', at: now.toISOString(), signature: 's'.repeat(64) }] },
    });
  });

  it('refuses a decision whose signature does not verify, a missing quorum and a missing policy', () => {
    expect(authorizationBasis({ ...normal, approvals: [approval({ signatureValid: false })] })).toEqual({ refused: 'the decision of olga does not carry a valid Steward signature' });
    expect(authorizationBasis({ ...normal, approvals: [] })).toMatchObject({ refused: expect.stringMatching(/quorum of policy Normal, low v1 does not hold/) });
    expect(authorizationBasis({ ...normal, requesterId: 'olga' })).toMatchObject({ refused: expect.stringMatching(/does not hold/) });
    expect(authorizationBasis({ ...normal, policy: null })).toEqual({ refused: 'no approval policy was recorded for this change' });
  });

  it('rests a standard change on its template only when it matches', () => {
    const template = { templateId: 'restart', version: 2, cabApproval: 'CAB 7' };
    expect(authorizationBasis({ type: 'standard', planHash: PLAN, requesterId: 'alice', policy: null, approvals: [], template })).toEqual({
      basis: { model: 'standard', templateId: 'restart', templateVersion: 2, cabApproval: 'CAB 7' },
    });
    expect(authorizationBasis({ type: 'standard', planHash: PLAN, requesterId: 'alice', policy: null, approvals: [], template, templateDeviation: 'the steps differ' })).toEqual({
      refused: 'standard change does not match its template: the steps differ',
    });
  });
});

describe('intervalGap and authorizationCoverage: one rule for the gate, executors and pipelines', () => {
  const window = { start: windowStart, end: windowEnd };
  const at = (ms: number) => new Date(ms);

  it('covers [start, end): the end itself is closed, the start itself open', () => {
    expect(intervalGap(window, windowStart, 0)).toBeUndefined();
    expect(intervalGap(window, at(windowEnd.getTime() - 1), 0)).toBeUndefined();
    expect(intervalGap(window, windowEnd, CLOCK_SKEW_MS)).toBe('closed');
    expect(intervalGap(window, at(windowStart.getTime() - 1), 0)).toBe('not_begun');
  });

  it('admits a call up to the skew early, never a late one', () => {
    expect(intervalGap(window, at(windowStart.getTime() - CLOCK_SKEW_MS), CLOCK_SKEW_MS)).toBeUndefined();
    expect(intervalGap(window, at(windowStart.getTime() - CLOCK_SKEW_MS - 1), CLOCK_SKEW_MS)).toBe('not_begun');
  });

  it('reads ISO strings as the instants they name', () => {
    expect(intervalGap({ start: windowStart.toISOString(), end: windowEnd.toISOString() }, now, 0)).toBeUndefined();
  });

  it('never covers anything with an empty or reversed interval', () => {
    expect(intervalGap({ start: windowStart, end: at(windowStart.getTime() - 1_000) }, at(windowStart.getTime() - 3_000), CLOCK_SKEW_MS)).toBe('empty');
    expect(intervalGap({ start: 'garbage', end: windowEnd }, now, 0)).toBe('empty');
  });

  it('says whether the stored plan is still the authorized one', () => {
    const authorization = { planHash: PLAN, windowStart, windowEnd };
    expect(authorizationCoverage(authorization, { storedPlanHash: PLAN, now, skewMs: 0 })).toEqual({ interval: undefined, planChanged: false });
    expect(authorizationCoverage(authorization, { storedPlanHash: OTHER_PLAN, now: windowEnd, skewMs: 0 })).toEqual({ interval: 'closed', planChanged: true });
  });
});

describe('admission: an executor acts on a step at most once, under the authorization, for the recorded run', () => {
  const claims = { tokenId: 'tok-1', changeId: 'CHG-000001', planHash: PLAN, runId: RUN };
  const key = executionIdempotencyKey('CHG-000001', 'deploy', 'action', PLAN);
  const claimed = (over: Partial<LedgerEntry> = {}): LedgerEntry => ({ runId: RUN, tokenId: 'tok-1', idempotencyKey: key, outcome: null, detail: null, ...over });
  const facts: AdmissionFacts = {
    changeId: 'CHG-000001',
    stepId: 'deploy',
    phase: 'action',
    caller,
    recordedRunId: RUN,
    claims,
    state: 'implementing',
    storedPlanHash: PLAN,
    authorization: { tokenId: 'tok-1', runId: RUN, planHash: PLAN, windowStart, windowEnd },
    steps,
    ledger: { action: null, rollback: null },
    now,
  };
  const reasonOf = (over: Partial<AdmissionFacts>) => {
    const verdict = admission({ ...facts, ...over });
    return verdict.verdict === 'refused' ? verdict.reason : `not refused: ${verdict.verdict}`;
  };

  it('claims an unclaimed action, with a key from business ids and the plan (never the run)', () => {
    expect(admission(facts)).toEqual({ verdict: 'claim', step: steps[0], idempotencyKey: 'CHG-000001:deploy:action:aaaaaaaaaaaaaaaa' });
    expect(admission({ ...facts, state: 'verifying' })).toMatchObject({ verdict: 'claim' });
  });

  it('answers a retry after the executor answered with the recorded outcome, even once the interval closed', () => {
    const ledger = { action: claimed({ outcome: 'succeeded', detail: 'HTTP 200' }), rollback: null };
    expect(admission({ ...facts, ledger })).toEqual({ verdict: 'recorded', outcome: 'succeeded', detail: 'HTTP 200' });
    expect(admission({ ...facts, ledger, now: windowEnd })).toEqual({ verdict: 'recorded', outcome: 'succeeded', detail: 'HTTP 200' });
  });

  it('resumes a claim without an outcome (the worker died mid-call) for the same run with the same key', () => {
    expect(admission({ ...facts, ledger: { action: claimed(), rollback: null } })).toEqual({ verdict: 'resume', step: steps[0], idempotencyKey: key });
  });

  it('refuses a claim without an outcome to anything but the run and token that claimed it', () => {
    expect(reasonOf({ ledger: { action: claimed({ runId: 'run-old' }), rollback: null } })).toMatch(/claimed by another run/);
    expect(reasonOf({ ledger: { action: claimed({ tokenId: 'tok-0' }), rollback: null } })).toMatch(/claimed by another run/);
  });

  it.each<[string, Partial<AdmissionFacts>, RegExp]>([
    ['a token for another change', { changeId: 'CHG-000002' }, /token is for CHG-000001, not CHG-000002/],
    ['a change never authorized', { authorization: null }, /no recorded authorization/],
    ['a token the gate did not record', { claims: { ...claims, tokenId: 'tok-forged' } }, /does not match the recorded authorization/],
    ['a token of another plan', { claims: { ...claims, planHash: OTHER_PLAN } }, /does not match the recorded authorization/],
    ['a run the token was not issued to', { caller: { ...caller, runId: 'run-reset' } }, /issued to run run-recorded, not to run run-reset/],
    ['a run no longer the recorded one', { recordedRunId: 'run-other' }, /issued to run/],
    ['a step not in the plan', { stepId: 'drop-db' }, /not in the authorized plan/],
    ['a manual step', { stepId: 'check' }, /manual/],
    ['a plan edited since', { storedPlanHash: OTHER_PLAN }, /plan changed since/],
    ['an action while rolling back', { state: 'rolling_back' }, /is rolling_back: no step may be executed/],
    ['an action of an ended change', { state: 'completed' }, /is completed/],
    ['an action after the interval', { now: windowEnd }, /interval has closed/],
    ['an action before the interval', { now: new Date(windowStart.getTime() - CLOCK_SKEW_MS - 1) }, /has not begun/],
    ['a rollback while implementing', { phase: 'rollback', ledger: { action: claimed({ outcome: 'succeeded' }), rollback: null } }, /not rolling back/],
    ['a rollback of a step whose action never ran', { phase: 'rollback', state: 'rolling_back' }, /never ran: there is nothing to roll back/],
  ])('refuses %s', (_name, over, reason) => {
    expect(reasonOf(over)).toMatch(reason);
  });

  it('runs a rollback once, while rolling back, after the action was claimed, even past the interval', () => {
    const rollingBack = { ...facts, phase: 'rollback' as const, state: 'rolling_back' as const, now: new Date(windowEnd.getTime() + 60_000) };
    const action = claimed({ outcome: 'succeeded', detail: 'ok' });
    expect(admission({ ...rollingBack, ledger: { action, rollback: null } })).toEqual({
      verdict: 'claim',
      step: steps[0],
      idempotencyKey: 'CHG-000001:deploy:rollback:aaaaaaaaaaaaaaaa',
    });
    const rollback = claimed({ idempotencyKey: 'k-rb', outcome: 'succeeded', detail: 'rolled back' });
    expect(admission({ ...rollingBack, ledger: { action, rollback } })).toEqual({ verdict: 'recorded', outcome: 'succeeded', detail: 'rolled back' });
  });
});

describe('pipelineGateRefusals: the deployment gate uses the same authorization', () => {
  const facts = {
    state: 'implementing' as const,
    ciKeys: ['app-a', 'app-b'],
    storedPlanHash: PLAN,
    recordedPlanHash: PLAN,
    authorization: { planHash: PLAN, windowStart, windowEnd },
    ci: 'app-a',
    sha: 'abc123',
    artifactSha: 'abc123',
    now,
  };

  it('allows the authorized artifact on one of the change CIs inside the interval', () => {
    expect(pipelineGateRefusals(facts)).toEqual([]);
    expect(pipelineGateRefusals({ ...facts, artifactSha: undefined, sha: undefined })).toEqual([]);
  });

  it('names every reason it denies', () => {
    expect(pipelineGateRefusals({ ...facts, state: 'completed', ci: 'app-z', sha: 'evil', now: windowEnd })).toEqual([
      'change is completed, not implementing',
      `now is outside the authorized interval ${windowStart.toISOString()} .. ${windowEnd.toISOString()}`,
      "app-z is not one of the change's CIs (app-a, app-b)",
      'artifact evil is not the authorized abc123',
    ]);
    expect(pipelineGateRefusals({ ...facts, authorization: null, sha: undefined })).toEqual(['change has no recorded authorization', 'the plan authorizes artifact abc123: give sha']);
    expect(pipelineGateRefusals({ ...facts, storedPlanHash: OTHER_PLAN })).toEqual(['the plan changed since it was authorized']);
    expect(pipelineGateRefusals({ ...facts, authorization: { ...facts.authorization, planHash: OTHER_PLAN } })).toEqual(['the plan changed since it was authorized']);
  });

  it('gives a pipeline no early allowance: it asks after the change moved to implementing', () => {
    expect(pipelineGateRefusals({ ...facts, now: new Date(windowStart.getTime() - 1) })).toEqual([`now is outside the authorized interval ${windowStart.toISOString()} .. ${windowEnd.toISOString()}`]);
    expect(pipelineGateRefusals({ ...facts, now: windowStart })).toEqual([]);
  });
});

describe('canMoveStep: a finished step is never re-opened', () => {
  it('moves steps forward only', () => {
    expect(canMoveStep(undefined, 'running')).toBe(true);
    expect(canMoveStep('running', 'succeeded')).toBe(true);
    expect(canMoveStep('waiting', 'failed')).toBe(true);
    expect(canMoveStep('succeeded', 'rolling_back')).toBe(true);
    expect(canMoveStep('rolling_back', 'rolled_back')).toBe(true);
    expect(canMoveStep('pending', 'skipped')).toBe(true);
  });

  it('refuses to re-open any finished step', () => {
    for (const finished of ['succeeded', 'failed', 'skipped', 'rolled_back', 'rollback_failed'] as const) {
      expect(canMoveStep(finished, 'running')).toBe(false);
      expect(canMoveStep(finished, 'waiting')).toBe(false);
      expect(canMoveStep(finished, 'pending')).toBe(false);
    }
    expect(canMoveStep('succeeded', 'failed')).toBe(false);
    expect(canMoveStep('failed', 'rolling_back')).toBe(false);
    expect(canMoveStep(undefined, 'succeeded')).toBe(false);
  });

  it('knows every step state', () => {
    for (const state of STEP_STATES) expect(() => canMoveStep(state, 'running')).not.toThrow();
  });
});

describe('settlementRefusal: a change manager settles only what its workflow can no longer finish', () => {
  const base = { changeId: 'CHG-000001', state: 'implementing' as const, final: false, recordedRunRunning: false, attention: true };

  it('settles a change whose recorded run is not running', () => {
    expect(settlementRefusal(base)).toBeUndefined();
    expect(settlementRefusal({ ...base, attention: false })).toBeUndefined();
  });

  it('never settles while the recorded run is running, marked or not, nor an ended change', () => {
    expect(settlementRefusal({ ...base, recordedRunRunning: true, attention: false })).toMatch(/still running: nothing is stuck/);
    expect(settlementRefusal({ ...base, recordedRunRunning: true })).toMatch(/marked for attention, but its recorded workflow run is still running/);
    for (const state of CHANGE_STATES.filter((s) => ['completed', 'rolled_back', 'rejected', 'cancelled', 'failed'].includes(s))) {
      expect(settlementRefusal({ ...base, state, final: true })).toMatch(/has ended already/);
    }
  });
});
