import { RISK_LEVELS, type ApprovalRecord, type ApprovalRule, type ApproverIdentity, type PolicySnapshot, type RiskLevel, type RuleProgress } from './approval-vocabulary';
import { CHANGE_TYPES, type ChangeState, type ChangeType } from './change-vocabulary';
import { StewardError } from '../steward-error';
import { approvalSodRefusal } from './segregation-of-duties';

/** One alternative of a rule's `anyOf`: (groups match) AND (roles match). */
export type ApproverCriterion = NonNullable<ApprovalRule['anyOf']>[number];

/**
 * One rule of a stored policy, before the change's CIs are known. With `ownerGroupOfEachCi` it
 * stands for one rule per distinct owner group of the change's CIs, each needing `count`
 * approvals from members of that group (`roles` and `anyOf` still apply; `groups` must be absent
 * and `description` is generated per group).
 */
export interface ApprovalRuleTemplate {
  id: string;
  description: string;
  count: number;
  groups?: string[];
  roles?: string[];
  anyOf?: ApproverCriterion[];
  ownerGroupOfEachCi?: boolean;
}

/** A stored, editable approval policy. An edit is a new version; changes keep the snapshot they were assessed with. */
export interface ApprovalPolicyDefinition {
  id: string;
  version: number;
  name: string;
  appliesTo: { types: ChangeType[]; riskLevels: RiskLevel[] };
  rules: ApprovalRuleTemplate[];
}

/** API.md: to vote on a change a person needs one of these roles. */
export const VOTING_ROLES = ['cab_member', 'change_manager'] as const;

// Functions, not shared constants: each policy gets its own arrays, so editing one cannot edit another.
const ownerRule = (): ApprovalRuleTemplate => ({
  id: 'owner',
  description: '1 approval from the owner group of each affected CI',
  count: 1,
  ownerGroupOfEachCi: true,
});

const changeManagerRule = (): ApprovalRuleTemplate => ({
  id: 'change-manager',
  description: '1 approval from a change manager',
  count: 1,
  roles: ['change_manager'],
});

/**
 * API.md's default approval policy table, as the migration seeds it. Standard changes have no
 * policy: the CAB approval of their template authorizes them.
 */
export const DEFAULT_APPROVAL_POLICIES: ApprovalPolicyDefinition[] = [
  {
    id: 'normal-low',
    version: 1,
    name: 'Normal change, low risk',
    appliesTo: { types: ['normal'], riskLevels: ['low'] },
    rules: [ownerRule()],
  },
  {
    id: 'normal-medium',
    version: 1,
    name: 'Normal change, medium risk',
    appliesTo: { types: ['normal'], riskLevels: ['medium'] },
    rules: [ownerRule(), changeManagerRule()],
  },
  {
    id: 'normal-high',
    version: 1,
    name: 'Normal change, high or critical risk',
    appliesTo: { types: ['normal'], riskLevels: ['high', 'critical'] },
    rules: [
      { id: 'cab-quorum', description: '3 approvals from cab', count: 3, groups: ['cab'] },
      { id: 'cab-change-manager', description: 'at least 1 of them a change manager', count: 1, groups: ['cab'], roles: ['change_manager'] },
    ],
  },
  {
    id: 'emergency',
    version: 1,
    name: 'Emergency change',
    appliesTo: { types: ['emergency'], riskLevels: [...RISK_LEVELS] },
    rules: [
      {
        id: 'ecab-quorum',
        description: '2 approvals from ecab or change managers',
        count: 2,
        anyOf: [{ groups: ['ecab'] }, { roles: ['change_manager'] }],
      },
    ],
  },
];

const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
const unique = (values: readonly string[]): string[] => [...new Set(values)];
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A problem with one field of a policy definition, named by its path. */
export interface PolicyProblem {
  field: string;
  message: string;
}

function nameListProblems(values: unknown, field: string): PolicyProblem[] {
  if (values === undefined) return [];
  if (!Array.isArray(values) || values.length === 0) return [{ field, message: 'must be a non-empty list when given' }];
  return values.some((v) => typeof v !== 'string' || v.trim() === '') ? [{ field, message: 'must hold non-empty names' }] : [];
}

/**
 * What is wrong with a policy definition, every problem at once, so an edit is refused before
 * it can govern a change. Fails closed on anything that could let a rule hold without a vote
 * (a count below 1, an empty group list) or never be selected (standard changes).
 */
export function approvalPolicyProblems(definition: ApprovalPolicyDefinition): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (typeof definition.id !== 'string' || definition.id.trim() === '') problems.push({ field: 'id', message: 'must not be empty' });
  if (typeof definition.name !== 'string' || definition.name.trim() === '') problems.push({ field: 'name', message: 'must not be empty' });
  if (!Number.isInteger(definition.version) || definition.version < 1) problems.push({ field: 'version', message: 'must be an integer of at least 1' });

  const types = definition.appliesTo?.types;
  if (!Array.isArray(types) || types.length === 0) problems.push({ field: 'appliesTo.types', message: 'must name at least one change type' });
  else if (types.some((t) => !(CHANGE_TYPES as readonly string[]).includes(t))) problems.push({ field: 'appliesTo.types', message: `must be among ${CHANGE_TYPES.join(', ')}` });
  else if (types.includes('standard')) problems.push({ field: 'appliesTo.types', message: 'standard changes are authorized by their template, not by a policy' });
  const levels = definition.appliesTo?.riskLevels;
  if (!Array.isArray(levels) || levels.length === 0) problems.push({ field: 'appliesTo.riskLevels', message: 'must name at least one risk level' });
  else if (levels.some((l) => !(RISK_LEVELS as readonly string[]).includes(l))) problems.push({ field: 'appliesTo.riskLevels', message: `must be among ${RISK_LEVELS.join(', ')}` });

  if (!Array.isArray(definition.rules) || definition.rules.length === 0) {
    problems.push({ field: 'rules', message: 'a policy needs at least one rule: no rule would mean no approval' });
    return problems;
  }
  const seen = new Set<string>();
  definition.rules.forEach((rule, index) => {
    const at = `rules.${index}`;
    // No ':' in ids, so `<id>:<group>` of an owner rule never collides with another rule.
    if (typeof rule.id !== 'string' || !RULE_ID.test(rule.id)) problems.push({ field: `${at}.id`, message: 'must be letters, digits, "-" or "_"' });
    else if (seen.has(rule.id)) problems.push({ field: `${at}.id`, message: `duplicate rule id "${rule.id}"` });
    seen.add(rule.id);
    if (!Number.isInteger(rule.count) || rule.count < 1) problems.push({ field: `${at}.count`, message: 'must be an integer of at least 1' });
    problems.push(...nameListProblems(rule.groups, `${at}.groups`), ...nameListProblems(rule.roles, `${at}.roles`));
    if (rule.ownerGroupOfEachCi && rule.groups !== undefined) {
      problems.push({ field: `${at}.groups`, message: 'cannot be combined with ownerGroupOfEachCi: the owner group is the group' });
    }
    if (rule.anyOf !== undefined) {
      if (!Array.isArray(rule.anyOf) || rule.anyOf.length === 0) problems.push({ field: `${at}.anyOf`, message: 'must be a non-empty list when given' });
      else {
        rule.anyOf.forEach((alt, j) => {
          if (alt.groups === undefined && alt.roles === undefined) problems.push({ field: `${at}.anyOf.${j}`, message: 'must name groups or roles' });
          problems.push(...nameListProblems(alt.groups, `${at}.anyOf.${j}.groups`), ...nameListProblems(alt.roles, `${at}.anyOf.${j}.roles`));
        });
      }
    }
  });
  return problems;
}

/**
 * The policy that governs a change of this type and risk: of those whose `appliesTo` matches,
 * the highest version (ties broken by id, so the answer never depends on storage order).
 * Undefined for standard changes, which their template authorizes, and when nothing matches.
 */
export function selectPolicy(
  policies: readonly ApprovalPolicyDefinition[],
  type: ChangeType,
  riskLevel: RiskLevel,
): ApprovalPolicyDefinition | undefined {
  if (type === 'standard') return undefined;
  const matching = policies.filter((p) => p.appliesTo.types.includes(type) && p.appliesTo.riskLevels.includes(riskLevel));
  matching.sort((a, b) => b.version - a.version || byText(a.id, b.id));
  return matching[0];
}

const copyCriterion = (c: ApproverCriterion): ApproverCriterion => ({
  ...(c.groups ? { groups: [...c.groups] } : {}),
  ...(c.roles ? { roles: [...c.roles] } : {}),
});

const orList = (names: readonly string[]): string => names.join(' or ');

/**
 * The policy as it governs one change: each owner-group template becomes one rule per distinct
 * owner group of `cis` (id `<template id>:<group>`, groups sorted, CI keys sorted in the
 * description), every other rule is copied. The snapshot shares no array with the definition,
 * so a later edit of the policy cannot reach into it. Throws `invalid` for a broken definition,
 * an owner rule with no CI to take the owner from, or a CI without an owner group: each would
 * otherwise leave a rule nobody can, or everybody need not, satisfy.
 */
export function resolvePolicy(definition: ApprovalPolicyDefinition, cis: ReadonlyArray<{ key: string; ownerGroup: string }>): PolicySnapshot {
  const problems = approvalPolicyProblems(definition);
  if (problems.length > 0) {
    throw new StewardError('invalid', `policy ${definition.id} v${definition.version} is invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, {
      problems,
    });
  }
  const unowned = cis.filter((ci) => typeof ci.ownerGroup !== 'string' || ci.ownerGroup.trim() === '').map((ci) => ci.key);
  if (unowned.length > 0) throw new StewardError('invalid', `CI ${unowned.join(', ')} has no owner group to approve for it`, { cis: unowned });

  const cisByGroup = new Map<string, string[]>();
  for (const ci of cis) cisByGroup.set(ci.ownerGroup, [...(cisByGroup.get(ci.ownerGroup) ?? []), ci.key]);
  const groups = [...cisByGroup.keys()].sort(byText);

  const rules: ApprovalRule[] = [];
  for (const template of definition.rules) {
    const shared = {
      count: template.count,
      ...(template.roles ? { roles: [...template.roles] } : {}),
      ...(template.anyOf ? { anyOf: template.anyOf.map(copyCriterion) } : {}),
    };
    if (!template.ownerGroupOfEachCi) {
      rules.push({ id: template.id, description: template.description, ...(template.groups ? { groups: [...template.groups] } : {}), ...shared });
      continue;
    }
    if (groups.length === 0) {
      throw new StewardError('invalid', `policy ${definition.name} v${definition.version} needs the owner group of each affected CI, but the change names no CI`);
    }
    for (const group of groups) {
      const keys = unique(cisByGroup.get(group) ?? []).sort(byText);
      const roles = template.roles ? ` with the role ${orList(template.roles)}` : '';
      rules.push({
        id: `${template.id}:${group}`,
        description: `${template.count} approval${template.count === 1 ? '' : 's'} from the owner group ${group}${roles} (${keys.join(', ')})`,
        groups: [group],
        ...shared,
      });
    }
  }
  return { policyId: definition.id, version: definition.version, name: definition.name, rules };
}

const hasAny = (held: readonly string[], wanted: readonly string[] | undefined): boolean => wanted === undefined || wanted.some((w) => held.includes(w));
const matches = (approver: ApproverIdentity, c: ApproverCriterion): boolean => hasAny(approver.groups, c.groups) && hasAny(approver.roles, c.roles);

/** Whether this person may vote at all (API.md: `cab_member` or `change_manager`). */
export function hasVotingRole(approver: ApproverIdentity): boolean {
  return VOTING_ROLES.some((role) => approver.roles.includes(role));
}

/**
 * Whether this person's vote counts for the rule: a voting role, and (groups match) AND (roles
 * match) AND (one `anyOf` alternative matches, when given). A list that is present but empty
 * matches nobody: a rule fails closed rather than open.
 */
export function satisfiesRule(rule: ApprovalRule, approver: ApproverIdentity): boolean {
  return hasVotingRole(approver) && matches(approver, rule) && (rule.anyOf === undefined || rule.anyOf.some((alt) => matches(approver, alt)));
}

function criterionText(c: ApproverCriterion): string {
  if (c.groups && c.roles) return `a member of ${orList(c.groups)} with the role ${orList(c.roles)}`;
  if (c.groups) return `a member of ${orList(c.groups)}`;
  if (c.roles) return `the role ${orList(c.roles)}`;
  return 'any voter';
}

/** Who a rule wants, in a few words, for the message that tells an ineligible approver why. */
function ruleNeeds(rule: ApprovalRule): string {
  const base = criterionText(rule);
  if (!rule.anyOf) return base;
  const alternatives = rule.anyOf.map(criterionText).join(' or ');
  return base === 'any voter' ? alternatives : `${base}, and ${alternatives}`;
}

const MAX_NEEDS_LISTED = 4;

function needsSummary(snapshot: PolicySnapshot): string {
  const needs = unique(snapshot.rules.map(ruleNeeds));
  if (needs.length === 0) return 'the policy names no eligible approver';
  if (needs.length === 1) return `needs ${needs[0]}`;
  const listed = needs.slice(0, MAX_NEEDS_LISTED).join('; ');
  const more = needs.length > MAX_NEEDS_LISTED ? `; and ${needs.length - MAX_NEEDS_LISTED} more` : '';
  return `needs one of: ${listed}${more}`;
}

/** Which rule refused a vote: for callers that must tell refusals apart (never by their words). */
export type VoteRefusalReason =
  | 'not_awaiting_approval'
  | 'no_approver'
  | 'segregation_of_duties'
  | 'no_voting_role'
  | 'not_eligible'
  | 'already_voted'
  | 'stale_plan'
  | 'invalid_time'
  | 'deadline_passed';

/** Why a vote is refused: the rule, and the words and code (403/409/400) the API answers with. */
export interface VoteRefusal {
  code: 'forbidden' | 'conflict' | 'invalid';
  reason: VoteRefusalReason;
  message: string;
}

/** Everything a vote is checked against: the change as the workflow holds it, and the decision. */
export interface VoteContext {
  snapshot: PolicySnapshot;
  approver: ApproverIdentity;
  requesterId: string;
  /** The change's votes so far, voided ones included. */
  approvals: readonly ApprovalRecord[];
  /** The plan the decision was cast for. */
  planHash: string;
  currentPlanHash: string;
  /** When the decision was made (the workflow's clock); checked against `deadline` when both are given. */
  at?: Date;
  deadline?: Date;
  state: ChangeState;
  /**
   * Authors of the plan revision being approved; refused like the requester. Optional so that a
   * caller that does not know them (today the workflow's validator) keeps its behaviour.
   */
  planAuthors?: readonly string[];
  /** The approver is a service account (API key): approvers are people. */
  approverIsServiceAccount?: boolean;
}

const shortHash = (hash: string): string => hash.slice(0, 12);
const isValidDate = (d: Date): boolean => d instanceof Date && !Number.isNaN(d.getTime());

/**
 * Why this vote must not be counted, or undefined when it may be. Shared by the API (before it
 * signs) and the workflow's update validator (before the vote enters history), so both refuse
 * with the same words. Checks run in a fixed order, so the first reason is the most fundamental:
 * state, segregation of duties, voting role, eligibility under the policy, one vote per approver
 * per plan, plan binding, deadline.
 */
export function voteRefusal(context: VoteContext): VoteRefusal | undefined {
  const { snapshot, approver, requesterId, approvals, planHash, currentPlanHash, at, deadline, state } = context;
  if (state !== 'awaiting_approval') return { code: 'conflict', reason: 'not_awaiting_approval', message: `change is ${state}, not awaiting approval` };
  // An empty id would match an empty requester id or nobody's records: refuse it outright.
  if (typeof approver.id !== 'string' || approver.id.trim() === '') return { code: 'invalid', reason: 'no_approver', message: 'the decision names no approver' };
  const sod = approvalSodRefusal({ approverId: approver.id, approverIsServiceAccount: context.approverIsServiceAccount, requesterId, planAuthors: context.planAuthors });
  if (sod) return { code: sod.code, reason: 'segregation_of_duties', message: sod.message };
  if (!hasVotingRole(approver)) return { code: 'forbidden', reason: 'no_voting_role', message: `requires the role ${VOTING_ROLES.join(' or ')} to vote` };
  if (!snapshot.rules.some((rule) => satisfiesRule(rule, approver))) {
    return {
      code: 'forbidden',
      reason: 'not_eligible',
      message: `${approver.id} is not an eligible approver under policy ${snapshot.name} v${snapshot.version}: ${needsSummary(snapshot)}`,
    };
  }
  if (approvals.some((a) => !a.voided && a.approver === approver.id && a.planHash === currentPlanHash)) {
    return { code: 'conflict', reason: 'already_voted', message: `${approver.id} has already voted on this plan` };
  }
  if (planHash !== currentPlanHash) {
    return { code: 'conflict', reason: 'stale_plan', message: `decision is for plan ${shortHash(planHash)} but the current plan is ${shortHash(currentPlanHash)}` };
  }
  if (at !== undefined && deadline !== undefined) {
    if (!isValidDate(at) || !isValidDate(deadline)) return { code: 'invalid', reason: 'invalid_time', message: 'the decision time or deadline is not a valid date' };
    if (at.getTime() > deadline.getTime()) return { code: 'conflict', reason: 'deadline_passed', message: `the decision deadline passed at ${deadline.toISOString()}` };
  }
  return undefined;
}

/**
 * A recorded vote with the identity its voter had when deciding (the signed decision's
 * `approver`): eligibility is judged on the roles and groups the vote was signed with, not on
 * whatever the directory says later.
 */
export type IdentifiedApproval = ApprovalRecord & { identity: ApproverIdentity };

export type ApprovalOutcome = 'approved' | 'rejected' | 'changes_requested' | 'pending';

export interface ApprovalEvaluation {
  outcome: ApprovalOutcome;
  rules: RuleProgress[];
  /** One line per rule that does not hold yet, saying what it still needs. */
  missing: string[];
}

/**
 * Where the votes leave the change. A vote counts when it is not voided, not the requester's,
 * its record and identity name the same person, it is for `currentPlanHash` (when given), and
 * its voter satisfies at least one rule; votes that fail any of these are ignored, rejects
 * included. An approval counts for EVERY rule its voter satisfies, so no assignment of votes to
 * rules can leave a policy waiting on a vote "used up" elsewhere; within one rule each person
 * counts once. Any counted reject rejects; otherwise any counted request for changes sends the
 * change back; otherwise the change is approved once every rule holds. A snapshot without rules
 * never approves: silence is not authorization.
 */
export function evaluateApprovals(
  snapshot: PolicySnapshot,
  approvals: readonly IdentifiedApproval[],
  requesterId: string,
  currentPlanHash?: string,
): ApprovalEvaluation {
  const counted = approvals.filter(
    (v) =>
      !v.voided &&
      v.approver !== requesterId &&
      v.identity.id === v.approver &&
      (currentPlanHash === undefined || v.planHash === currentPlanHash) &&
      snapshot.rules.some((rule) => satisfiesRule(rule, v.identity)),
  );

  const rules: RuleProgress[] = snapshot.rules.map((rule) => {
    const approvedBy = unique(counted.filter((v) => v.decision === 'approve' && satisfiesRule(rule, v.identity)).map((v) => v.approver));
    // Never fewer than one vote, even if a malformed snapshot says 0.
    const required = Math.max(1, rule.count);
    return { id: rule.id, description: rule.description, required, approvedBy, satisfied: approvedBy.length >= required };
  });
  const missing =
    rules.length === 0
      ? [`policy ${snapshot.name} v${snapshot.version} has no rules, so nothing can approve this change`]
      : rules.filter((r) => !r.satisfied).map((r) => `${r.description}: ${r.approvedBy.length} of ${r.required} so far`);

  const outcome: ApprovalOutcome = counted.some((v) => v.decision === 'reject')
    ? 'rejected'
    : counted.some((v) => v.decision === 'request_changes')
      ? 'changes_requested'
      : rules.length > 0 && rules.every((r) => r.satisfied)
        ? 'approved'
        : 'pending';
  return { outcome, rules, missing };
}
