import { RISK_LEVELS, type ApproverIdentity, type Decision, type PolicySnapshot } from './approval-vocabulary';
import { CHANGE_STATES } from './change-vocabulary';
import { StewardError } from '../steward-error';
import {
  DEFAULT_APPROVAL_POLICIES,
  VOTING_ROLES,
  approvalPolicyProblems,
  evaluateApprovals,
  resolvePolicy,
  satisfiesRule,
  selectPolicy,
  voteRefusal,
  type ApprovalPolicyDefinition,
  type IdentifiedApproval,
  type VoteContext,
} from './approval-policy';

const PLAN = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
const OLD_PLAN = 'ffffeeeeddddccccbbbbaaaa99998888777766665555444433332222111100000';

const person = (id: string, roles: string[], groups: string[] = []): ApproverIdentity => ({ id, name: id.toUpperCase(), roles, groups });

const vote = (identity: ApproverIdentity, decision: Decision = 'approve', over: Partial<IdentifiedApproval> = {}): IdentifiedApproval => ({
  approver: identity.id,
  approverName: identity.name,
  decision,
  comment: '',
  planHash: PLAN,
  at: '2026-11-30T10:00:00.000Z',
  voided: false,
  identity,
  ...over,
});

const policy = (id: string): ApprovalPolicyDefinition => {
  const found = DEFAULT_APPROVAL_POLICIES.find((p) => p.id === id);
  if (!found) throw new Error(`no default policy ${id}`);
  return found;
};

const CIS = [
  { key: 'svc-payments', ownerGroup: 'payments-team' },
  { key: 'db-orders', ownerGroup: 'orders-team' },
  { key: 'app-payments-api', ownerGroup: 'payments-team' },
];

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('DEFAULT_APPROVAL_POLICIES', () => {
  it('are valid definitions', () => {
    for (const definition of DEFAULT_APPROVAL_POLICIES) expect(approvalPolicyProblems(definition)).toEqual([]);
  });

  it('cover every normal and emergency risk level exactly once, and no standard change', () => {
    for (const level of RISK_LEVELS) {
      for (const type of ['normal', 'emergency'] as const) {
        const covering = DEFAULT_APPROVAL_POLICIES.filter((p) => p.appliesTo.types.includes(type) && p.appliesTo.riskLevels.includes(level));
        expect(covering).toHaveLength(1);
      }
    }
    expect(DEFAULT_APPROVAL_POLICIES.some((p) => p.appliesTo.types.includes('standard'))).toBe(false);
  });

  it('encode the table of API.md', () => {
    const resolved = (id: string) => resolvePolicy(policy(id), [{ key: 'svc-payments', ownerGroup: 'payments-team' }]).rules;
    expect(resolved('normal-low')).toEqual([
      { id: 'owner:payments-team', description: '1 approval from the owner group payments-team (svc-payments)', count: 1, groups: ['payments-team'] },
    ]);
    expect(resolved('normal-medium')).toEqual([
      { id: 'owner:payments-team', description: '1 approval from the owner group payments-team (svc-payments)', count: 1, groups: ['payments-team'] },
      { id: 'change-manager', description: '1 approval from a change manager', count: 1, roles: ['change_manager'] },
    ]);
    expect(resolved('normal-high')).toEqual([
      { id: 'cab-quorum', description: '3 approvals from cab', count: 3, groups: ['cab'] },
      { id: 'cab-change-manager', description: 'at least 1 of them a change manager', count: 1, groups: ['cab'], roles: ['change_manager'] },
    ]);
    expect(resolved('emergency')).toEqual([
      { id: 'ecab-quorum', description: '2 approvals from ecab or change managers', count: 2, anyOf: [{ groups: ['ecab'] }, { roles: ['change_manager'] }] },
    ]);
  });
});

describe('selectPolicy', () => {
  it('picks the default policy by type and risk', () => {
    expect(selectPolicy(DEFAULT_APPROVAL_POLICIES, 'normal', 'low')?.id).toBe('normal-low');
    expect(selectPolicy(DEFAULT_APPROVAL_POLICIES, 'normal', 'medium')?.id).toBe('normal-medium');
    expect(selectPolicy(DEFAULT_APPROVAL_POLICIES, 'normal', 'high')?.id).toBe('normal-high');
    expect(selectPolicy(DEFAULT_APPROVAL_POLICIES, 'normal', 'critical')?.id).toBe('normal-high');
    for (const level of RISK_LEVELS) expect(selectPolicy(DEFAULT_APPROVAL_POLICIES, 'emergency', level)?.id).toBe('emergency');
  });

  it('returns nothing for a standard change, even if a policy claims to cover it', () => {
    const rogue: ApprovalPolicyDefinition = { ...policy('normal-low'), id: 'rogue', appliesTo: { types: ['standard'], riskLevels: [...RISK_LEVELS] } };
    for (const level of RISK_LEVELS) expect(selectPolicy([...DEFAULT_APPROVAL_POLICIES, rogue], 'standard', level)).toBeUndefined();
  });

  it('takes the highest version, whatever the storage order', () => {
    const v2 = { ...policy('normal-low'), version: 2, name: 'edited' };
    const v3 = { ...policy('normal-low'), version: 3, name: 'edited again' };
    expect(selectPolicy([v2, policy('normal-low'), v3], 'normal', 'low')?.version).toBe(3);
    expect(selectPolicy([v3, v2, policy('normal-low')], 'normal', 'low')?.version).toBe(3);
  });

  it('breaks a version tie by id, and answers undefined when nothing matches', () => {
    const b = { ...policy('normal-low'), id: 'b' };
    const a = { ...policy('normal-low'), id: 'a' };
    expect(selectPolicy([b, a], 'normal', 'low')?.id).toBe('a');
    expect(selectPolicy([policy('normal-low')], 'normal', 'high')).toBeUndefined();
  });
});

describe('approvalPolicyProblems', () => {
  it('names every problem of a broken definition', () => {
    const broken = {
      id: '',
      version: 0,
      name: ' ',
      appliesTo: { types: ['standard'], riskLevels: [] },
      rules: [
        { id: 'a:b', description: '', count: 0 },
        { id: 'x', description: '', count: 1, groups: [] },
        { id: 'x', description: '', count: 1.5, ownerGroupOfEachCi: true, groups: ['cab'] },
        { id: 'y', description: '', count: 1, anyOf: [{}, { roles: [''] }] },
      ],
    } as unknown as ApprovalPolicyDefinition;
    expect(approvalPolicyProblems(broken).map((p) => p.field)).toEqual([
      'id',
      'name',
      'version',
      'appliesTo.types',
      'appliesTo.riskLevels',
      'rules.0.id',
      'rules.0.count',
      'rules.1.groups',
      'rules.2.id',
      'rules.2.count',
      'rules.2.groups',
      'rules.3.anyOf.0',
      'rules.3.anyOf.1.roles',
    ]);
  });

  it('refuses a policy without rules: no rule would mean no approval', () => {
    expect(approvalPolicyProblems({ ...policy('normal-low'), rules: [] })).toEqual([
      { field: 'rules', message: 'a policy needs at least one rule: no rule would mean no approval' },
    ]);
  });
});

describe('resolvePolicy', () => {
  it('makes one rule per distinct owner group, sorted, naming its CIs', () => {
    const snapshot = resolvePolicy(policy('normal-medium'), [...CIS, { key: 'svc-payments', ownerGroup: 'payments-team' }]);
    expect(snapshot).toEqual({
      policyId: 'normal-medium',
      version: 1,
      name: 'Normal change, medium risk',
      rules: [
        { id: 'owner:orders-team', description: '1 approval from the owner group orders-team (db-orders)', count: 1, groups: ['orders-team'] },
        {
          id: 'owner:payments-team',
          description: '1 approval from the owner group payments-team (app-payments-api, svc-payments)',
          count: 1,
          groups: ['payments-team'],
        },
        { id: 'change-manager', description: '1 approval from a change manager', count: 1, roles: ['change_manager'] },
      ],
    });
  });

  it('does not depend on the order of the CIs', () => {
    const forward = resolvePolicy(policy('normal-low'), CIS);
    for (const order of permutations(CIS)) expect(resolvePolicy(policy('normal-low'), order)).toEqual(forward);
  });

  it('keeps roles on owner rules and says so', () => {
    const definition: ApprovalPolicyDefinition = {
      ...policy('normal-low'),
      rules: [{ id: 'owner', description: '', count: 2, roles: ['change_manager'], ownerGroupOfEachCi: true }],
    };
    expect(resolvePolicy(definition, [CIS[0]]).rules).toEqual([
      {
        id: 'owner:payments-team',
        description: '2 approvals from the owner group payments-team with the role change_manager (svc-payments)',
        count: 2,
        groups: ['payments-team'],
        roles: ['change_manager'],
      },
    ]);
  });

  it('shares nothing with the definition, so a later edit cannot change the snapshot', () => {
    const definition = structuredClone(policy('emergency'));
    const snapshot = resolvePolicy(definition, CIS);
    definition.rules[0].anyOf?.push({ groups: ['everyone'] });
    definition.rules[0].count = 1;
    expect(snapshot.rules[0]).toEqual({
      id: 'ecab-quorum',
      description: '2 approvals from ecab or change managers',
      count: 2,
      anyOf: [{ groups: ['ecab'] }, { roles: ['change_manager'] }],
    });
  });

  it('refuses an owner rule with no CI, a CI without owner group, and a broken definition', () => {
    expect(() => resolvePolicy(policy('normal-low'), [])).toThrow(StewardError);
    expect(() => resolvePolicy(policy('normal-low'), [])).toThrow('needs the owner group of each affected CI, but the change names no CI');
    expect(() => resolvePolicy(policy('normal-low'), [{ key: 'svc-x', ownerGroup: ' ' }])).toThrow('CI svc-x has no owner group');
    expect(() => resolvePolicy({ ...policy('normal-low'), rules: [{ id: 'r', description: '', count: 0 }] }, CIS)).toThrow(
      'policy normal-low v1 is invalid: rules.0.count must be an integer of at least 1',
    );
    // Rules that need no CI resolve fine without any.
    expect(resolvePolicy(policy('normal-high'), []).rules.map((r) => r.id)).toEqual(['cab-quorum', 'cab-change-manager']);
  });
});

describe('satisfiesRule', () => {
  const [cabQuorum, cabManager] = resolvePolicy(policy('normal-high'), CIS).rules;
  const [ecab] = resolvePolicy(policy('emergency'), CIS).rules;

  it('needs a voting role, whatever the groups', () => {
    expect(VOTING_ROLES).toEqual(['cab_member', 'change_manager']);
    expect(satisfiesRule(cabQuorum, person('p', ['requester', 'admin'], ['cab']))).toBe(false);
    expect(satisfiesRule(cabQuorum, person('p', ['cab_member'], ['cab']))).toBe(true);
  });

  it('reads groups AND roles', () => {
    expect(satisfiesRule(cabManager, person('p', ['cab_member'], ['cab']))).toBe(false);
    expect(satisfiesRule(cabManager, person('p', ['change_manager'], ['change-managers']))).toBe(false);
    expect(satisfiesRule(cabManager, person('p', ['change_manager'], ['cab']))).toBe(true);
  });

  it('reads anyOf as OR: a member of ecab or a change manager', () => {
    expect(satisfiesRule(ecab, person('p', ['cab_member'], ['ecab']))).toBe(true);
    expect(satisfiesRule(ecab, person('p', ['change_manager'], []))).toBe(true);
    expect(satisfiesRule(ecab, person('p', ['cab_member'], ['cab']))).toBe(false);
    // ecab membership alone does not make a voter.
    expect(satisfiesRule(ecab, person('p', ['resolver'], ['ecab']))).toBe(false);
  });

  it('fails closed on empty lists', () => {
    const voter = person('p', ['change_manager'], ['cab']);
    expect(satisfiesRule({ id: 'r', description: '', count: 1, groups: [] }, voter)).toBe(false);
    expect(satisfiesRule({ id: 'r', description: '', count: 1, roles: [] }, voter)).toBe(false);
    expect(satisfiesRule({ id: 'r', description: '', count: 1, anyOf: [] }, voter)).toBe(false);
  });
});

describe('voteRefusal', () => {
  const snapshot = resolvePolicy(policy('normal-medium'), CIS);
  const owner = person('olga', ['cab_member'], ['payments-team']);
  const base: VoteContext = {
    snapshot,
    approver: owner,
    requesterId: 'rita',
    approvals: [],
    planHash: PLAN,
    currentPlanHash: PLAN,
    at: new Date('2026-12-01T09:00:00Z'),
    deadline: new Date('2026-12-01T12:00:00Z'),
    state: 'awaiting_approval',
  };

  it('accepts an eligible first vote on the current plan in time', () => {
    expect(voteRefusal(base)).toBeUndefined();
    expect(voteRefusal({ ...base, at: undefined, deadline: undefined })).toBeUndefined();
  });

  it('refuses outside awaiting_approval before anything else', () => {
    for (const state of CHANGE_STATES.filter((s) => s !== 'awaiting_approval')) {
      expect(voteRefusal({ ...base, state, approver: person('rita', []) })).toEqual({ code: 'conflict', reason: 'not_awaiting_approval', message: `change is ${state}, not awaiting approval` });
    }
  });

  it('refuses the author of the plan revision, and a service account, when the caller names them', () => {
    const dave = person('dave', ['change_manager', 'cab_member'], ['cab', 'payments-team', 'orders-team']);
    expect(voteRefusal({ ...base, approver: dave, planAuthors: ['dave'] })).toEqual({ code: 'forbidden', reason: 'segregation_of_duties', message: 'the author of a plan revision cannot approve it' });
    expect(voteRefusal({ ...base, approver: dave, planAuthors: ['erin'] })?.message).not.toBe('the author of a plan revision cannot approve it');
    expect(voteRefusal({ ...base, approver: dave, approverIsServiceAccount: true })).toEqual({ code: 'forbidden', reason: 'segregation_of_duties', message: 'approvers are people: service accounts cannot vote' });
  });

  it('refuses the requester, even a change manager in every group', () => {
    const requester = person('rita', ['change_manager', 'cab_member'], ['payments-team', 'orders-team', 'cab']);
    expect(voteRefusal({ ...base, approver: requester })).toEqual({ code: 'forbidden', reason: 'segregation_of_duties', message: 'requester cannot approve own change' });
  });

  it('refuses an approver without a voting role, even in the owner group', () => {
    expect(voteRefusal({ ...base, approver: person('sam', ['service_owner', 'admin'], ['payments-team']) })).toEqual({
      code: 'forbidden',
      reason: 'no_voting_role',
      message: 'requires the role cab_member or change_manager to vote',
    });
  });

  it('refuses a voter the policy does not name, saying what is needed', () => {
    expect(voteRefusal({ ...base, approver: person('carl', ['cab_member'], ['cab']) })).toEqual({
      code: 'forbidden',
      reason: 'not_eligible',
      message:
        'carl is not an eligible approver under policy Normal change, medium risk v1: needs one of: a member of orders-team; a member of payments-team; the role change_manager',
    });
    const ecab = resolvePolicy(policy('emergency'), CIS);
    expect(voteRefusal({ ...base, snapshot: ecab, approver: person('carl', ['cab_member'], ['cab']) })?.message).toBe(
      'carl is not an eligible approver under policy Emergency change v1: needs a member of ecab or the role change_manager',
    );
  });

  it('shortens a long list of needs', () => {
    const many = resolvePolicy(
      policy('normal-low'),
      ['a', 'b', 'c', 'd', 'e', 'f'].map((g) => ({ key: `svc-${g}`, ownerGroup: `team-${g}` })),
    );
    expect(voteRefusal({ ...base, snapshot: many, approver: person('carl', ['cab_member'], ['cab']) })?.message).toBe(
      'carl is not an eligible approver under policy Normal change, low risk v1: needs one of: a member of team-a; a member of team-b; a member of team-c; a member of team-d; and 2 more',
    );
  });

  it('refuses a second vote on the same plan, but not a vote after the first was voided', () => {
    expect(voteRefusal({ ...base, approvals: [vote(owner, 'request_changes')] })).toEqual({ code: 'conflict', reason: 'already_voted', message: 'olga has already voted on this plan' });
    expect(voteRefusal({ ...base, approvals: [vote(owner, 'approve', { voided: true })] })).toBeUndefined();
    expect(voteRefusal({ ...base, approvals: [vote(owner, 'approve', { planHash: OLD_PLAN })] })).toBeUndefined();
    expect(voteRefusal({ ...base, approvals: [vote(person('other', ['cab_member'], ['payments-team']))] })).toBeUndefined();
  });

  it('refuses a decision bound to another plan', () => {
    expect(voteRefusal({ ...base, planHash: OLD_PLAN })).toEqual({
      code: 'conflict',
      reason: 'stale_plan',
      message: 'decision is for plan ffffeeeedddd but the current plan is a1b2c3d4e5f6',
    });
  });

  it('refuses a decision after the deadline, and accepts one exactly at it', () => {
    expect(voteRefusal({ ...base, at: new Date('2026-12-01T12:00:00.001Z') })).toEqual({
      code: 'conflict',
      reason: 'deadline_passed',
      message: 'the decision deadline passed at 2026-12-01T12:00:00.000Z',
    });
    expect(voteRefusal({ ...base, at: new Date('2026-12-01T12:00:00Z') })).toBeUndefined();
    expect(voteRefusal({ ...base, at: new Date('nonsense') })).toEqual({ code: 'invalid', reason: 'invalid_time', message: 'the decision time or deadline is not a valid date' });
  });

  it('refuses a decision that names no approver', () => {
    expect(voteRefusal({ ...base, requesterId: '', approver: person('', ['change_manager'], ['payments-team']) })).toEqual({
      code: 'invalid',
      reason: 'no_approver',
      message: 'the decision names no approver',
    });
  });

  it('checks in the documented order', () => {
    // Ineligible, already voted, wrong plan and late at once: eligibility is reported first.
    const carl = person('carl', ['cab_member'], ['cab']);
    const everything = { ...base, approver: carl, approvals: [vote(carl)], planHash: OLD_PLAN, at: new Date('2027-01-01T00:00:00Z') };
    expect(voteRefusal(everything)?.message).toMatch(/^carl is not an eligible approver/);
    // Already voted beats the plan mismatch; the plan mismatch beats the deadline.
    const late = { ...base, approvals: [vote(owner)], planHash: OLD_PLAN, at: new Date('2027-01-01T00:00:00Z') };
    expect(voteRefusal(late)?.message).toBe('olga has already voted on this plan');
    expect(voteRefusal({ ...late, approvals: [] })?.message).toMatch(/^decision is for plan/);
    // The voting role is checked before eligibility, the requester before the voting role.
    expect(voteRefusal({ ...base, approver: person('sam', ['requester'], ['cab']) })?.message).toBe('requires the role cab_member or change_manager to vote');
    expect(voteRefusal({ ...base, approver: person('rita', ['requester']) })?.message).toBe('requester cannot approve own change');
  });
});

describe('evaluateApprovals', () => {
  const medium = resolvePolicy(policy('normal-medium'), [CIS[0]]);
  const high = resolvePolicy(policy('normal-high'), CIS);
  const emergency = resolvePolicy(policy('emergency'), CIS);
  const requester = 'rita';

  it('is pending with nothing voted, naming what is missing', () => {
    expect(evaluateApprovals(medium, [], requester)).toEqual({
      outcome: 'pending',
      rules: [
        { id: 'owner:payments-team', description: '1 approval from the owner group payments-team (svc-payments)', required: 1, approvedBy: [], satisfied: false },
        { id: 'change-manager', description: '1 approval from a change manager', required: 1, approvedBy: [], satisfied: false },
      ],
      missing: ['1 approval from the owner group payments-team (svc-payments): 0 of 1 so far', '1 approval from a change manager: 0 of 1 so far'],
    });
  });

  it('approves once every rule holds', () => {
    const result = evaluateApprovals(medium, [vote(person('olga', ['cab_member'], ['payments-team'])), vote(person('max', ['change_manager']))], requester);
    expect(result.outcome).toBe('approved');
    expect(result.missing).toEqual([]);
    expect(result.rules.map((r) => r.approvedBy)).toEqual([['olga'], ['max']]);
  });

  it('counts one vote for every rule its voter satisfies: a change manager in the owner group approves a medium change alone', () => {
    const both = person('olga', ['change_manager'], ['payments-team']);
    const result = evaluateApprovals(medium, [vote(both)], requester);
    expect(result.outcome).toBe('approved');
    expect(result.rules.map((r) => r.approvedBy)).toEqual([['olga'], ['olga']]);
  });

  it('counts a CAB member who also owns the CI for the owner rule and for the CAB quorum', () => {
    const policyBoth: PolicySnapshot = {
      ...high,
      rules: [...resolvePolicy(policy('normal-low'), [CIS[0]]).rules, ...high.rules],
    };
    const ownerOnCab = person('olga', ['cab_member'], ['cab', 'payments-team']);
    const result = evaluateApprovals(
      policyBoth,
      [vote(ownerOnCab), vote(person('carl', ['cab_member'], ['cab'])), vote(person('max', ['change_manager'], ['cab']))],
      requester,
    );
    expect(result.outcome).toBe('approved');
    expect(result.rules.find((r) => r.id === 'owner:payments-team')?.approvedBy).toEqual(['olga']);
    expect(result.rules.find((r) => r.id === 'cab-quorum')?.approvedBy).toEqual(['olga', 'carl', 'max']);
  });

  it('approves a high-risk change on 3 CAB votes with 1 change manager among them, in any order', () => {
    const votes = [
      vote(person('carl', ['cab_member'], ['cab'])),
      vote(person('cora', ['cab_member'], ['cab'])),
      vote(person('max', ['change_manager'], ['cab'])),
    ];
    for (const order of permutations(votes)) {
      const result = evaluateApprovals(high, order, requester);
      expect(result.outcome).toBe('approved');
      expect(result.rules.find((r) => r.id === 'cab-change-manager')?.approvedBy).toEqual(['max']);
    }
  });

  it('keeps a high-risk change waiting for a change manager, then approves without a further CAB vote needed', () => {
    const cab = [vote(person('carl', ['cab_member'], ['cab'])), vote(person('cora', ['cab_member'], ['cab'])), vote(person('cleo', ['cab_member'], ['cab']))];
    const waiting = evaluateApprovals(high, cab, requester);
    expect(waiting.outcome).toBe('pending');
    expect(waiting.missing).toEqual(['at least 1 of them a change manager: 0 of 1 so far']);
    // A change manager outside cab does not help the cab rules.
    expect(evaluateApprovals(high, [...cab, vote(person('max', ['change_manager'], ['change-managers']))], requester).outcome).toBe('pending');
    expect(evaluateApprovals(high, [...cab, vote(person('mia', ['change_manager'], ['cab']))], requester).outcome).toBe('approved');
  });

  it('counts one person once per rule, however many records they have', () => {
    const carl = person('carl', ['cab_member'], ['cab']);
    const max = person('max', ['change_manager'], ['cab']);
    const result = evaluateApprovals(high, [vote(carl), vote(carl, 'approve', { at: '2026-11-30T11:00:00.000Z' }), vote(max), vote(max)], requester);
    expect(result.outcome).toBe('pending');
    expect(result.rules.find((r) => r.id === 'cab-quorum')).toMatchObject({ approvedBy: ['carl', 'max'], satisfied: false });
  });

  it('approves an emergency change on ecab members or change managers', () => {
    expect(evaluateApprovals(emergency, [vote(person('eve', ['cab_member'], ['ecab'])), vote(person('max', ['change_manager']))], requester).outcome).toBe('approved');
    expect(evaluateApprovals(emergency, [vote(person('eve', ['cab_member'], ['ecab'])), vote(person('carl', ['cab_member'], ['cab']))], requester).outcome).toBe(
      'pending',
    );
  });

  it('never counts the requester, voided votes, votes for another plan, or a record whose identity is someone else', () => {
    const rita = person('rita', ['change_manager'], ['payments-team']);
    const olga = person('olga', ['cab_member'], ['payments-team']);
    const max = person('max', ['change_manager']);
    const ignored = [
      vote(rita),
      vote(olga, 'approve', { voided: true }),
      vote(olga, 'approve', { planHash: OLD_PLAN }),
      vote(max, 'approve', { approver: 'mallory' }),
    ];
    const result = evaluateApprovals(medium, ignored, requester, PLAN);
    expect(result.outcome).toBe('pending');
    expect(result.rules.every((r) => r.approvedBy.length === 0)).toBe(true);
    // Without a current plan hash the voided flag is what binds votes to the plan.
    expect(evaluateApprovals(medium, [vote(olga, 'approve', { planHash: OLD_PLAN }), vote(max)], requester).outcome).toBe('approved');
  });

  it('rejects on any counted reject, before requested changes and whatever else holds', () => {
    const olga = person('olga', ['cab_member'], ['payments-team']);
    const max = person('max', ['change_manager']);
    const mia = person('mia', ['change_manager']);
    expect(evaluateApprovals(medium, [vote(olga), vote(max), vote(mia, 'reject')], requester).outcome).toBe('rejected');
    expect(evaluateApprovals(medium, [vote(olga), vote(mia, 'request_changes'), vote(max, 'reject')], requester).outcome).toBe('rejected');
    expect(evaluateApprovals(medium, [vote(olga), vote(max), vote(mia, 'request_changes')], requester).outcome).toBe('changes_requested');
  });

  it('ignores rejects that could not have been cast: voided, the requester, an ineligible voter', () => {
    const olga = person('olga', ['cab_member'], ['payments-team']);
    const max = person('max', ['change_manager']);
    const votes = [
      vote(olga),
      vote(max),
      vote(max, 'reject', { voided: true }),
      vote(person('rita', ['change_manager']), 'reject'),
      vote(person('carl', ['cab_member'], ['cab']), 'reject'),
      vote(person('sam', ['service_owner'], ['payments-team']), 'request_changes'),
    ];
    expect(evaluateApprovals(medium, votes, requester).outcome).toBe('approved');
  });

  it('never approves a snapshot without rules, nor counts a rule of count 0 as held without a vote', () => {
    const empty: PolicySnapshot = { policyId: 'p', version: 1, name: 'Empty', rules: [] };
    expect(evaluateApprovals(empty, [vote(person('max', ['change_manager']))], requester)).toEqual({
      outcome: 'pending',
      rules: [],
      missing: ['policy Empty v1 has no rules, so nothing can approve this change'],
    });
    const zero: PolicySnapshot = { ...empty, rules: [{ id: 'r', description: 'anyone', count: 0 }] };
    expect(evaluateApprovals(zero, [], requester)).toMatchObject({ outcome: 'pending', rules: [{ required: 1, satisfied: false }] });
  });
});
