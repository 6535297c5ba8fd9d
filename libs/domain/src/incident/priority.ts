import { StewardError } from '../steward-error';

/** Business impact of an incident: 1 (widespread) .. 3 (minor). */
export type Impact = 1 | 2 | 3;
/** How fast the business needs it fixed: 1 (now) .. 3 (can wait). */
export type Urgency = 1 | 2 | 3;
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * The ITIL priority matrix, impact (rows) x urgency (columns), exactly as issue 6 states it:
 * 1x1 = P1; 1x2, 2x1 = P2; 1x3, 2x2, 3x1 = P3; 2x3, 3x2 = P4; 3x3 = P5.
 */
export const PRIORITY_MATRIX: Readonly<Record<Impact, Readonly<Record<Urgency, Priority>>>> = {
  1: { 1: 'P1', 2: 'P2', 3: 'P3' },
  2: { 1: 'P2', 2: 'P3', 3: 'P4' },
  3: { 1: 'P3', 2: 'P4', 3: 'P5' },
};

/** The priority for an impact and an urgency, both integers 1..3 (else StewardError 'invalid'). */
export function priorityFor(impact: number, urgency: number): Priority {
  return PRIORITY_MATRIX[level('impact', impact)][level('urgency', urgency)];
}

/** P1 and P2 are major incidents: they get a commander, stakeholder updates and a review. */
export function isMajorPriority(priority: Priority): boolean {
  return priority === 'P1' || priority === 'P2';
}

/**
 * A CMDB rule that raises the reported impact: when the affected service is at least as
 * critical as `maxCriticality` (1 is the most critical) OR at least `minUsersAffected` users are
 * affected, the impact becomes at least `raiseTo`. Either condition may be left out, not both.
 */
export interface ImpactRaisingRule {
  id?: string;
  /** Shown with the result; generated from the conditions when absent. */
  description?: string;
  maxCriticality?: number;
  minUsersAffected?: number;
  raiseTo: Impact;
}

/** What the CMDB knows about the affected service. */
export interface ServiceImpactFacts {
  /** CI criticality tier, 1 the most critical. */
  criticality: number;
  usersAffected: number;
}

/** Seed rules (editable data): a criticality-1 service or >= 1000 users is impact 1; criticality 2 or >= 100 users is at least impact 2. */
export const DEFAULT_IMPACT_RULES: readonly ImpactRaisingRule[] = [
  { id: 'critical-service-or-1000-users', maxCriticality: 1, minUsersAffected: 1000, raiseTo: 1 },
  { id: 'important-service-or-100-users', maxCriticality: 2, minUsersAffected: 100, raiseTo: 2 },
];

export interface ClassifyIncidentInput {
  impact: number;
  urgency: number;
  service: ServiceImpactFacts;
  rules?: readonly ImpactRaisingRule[];
  /**
   * Accepted because callers send it, and deliberately never read (principle 1: priority comes
   * from business impact x urgency, never from who is calling).
   */
  callerVip?: boolean;
}

export interface IncidentClassification {
  priority: Priority;
  major: boolean;
  impact: { reported: Impact; effective: Impact; raisedBy?: string };
  urgency: Urgency;
}

/** The sentence shown with a classification that a rule raised. */
export function describeImpactRule(rule: ImpactRaisingRule): string {
  if (rule.description) return rule.description;
  const conditions: string[] = [];
  if (rule.maxCriticality !== undefined) conditions.push(`service criticality ${rule.maxCriticality === 1 ? '1' : `1..${rule.maxCriticality}`}`);
  if (rule.minUsersAffected !== undefined) conditions.push(`at least ${rule.minUsersAffected} users affected`);
  return `${conditions.join(' or ')}: impact at least ${rule.raiseTo}`;
}

/** Problems with a rule, as sentences; empty when it is valid. */
export function impactRuleProblems(rule: ImpactRaisingRule): string[] {
  const problems: string[] = [];
  if (!isLevel(rule.raiseTo)) problems.push('raiseTo must be an integer 1..3');
  if (rule.maxCriticality === undefined && rule.minUsersAffected === undefined) problems.push('a rule needs maxCriticality or minUsersAffected');
  if (rule.maxCriticality !== undefined && !(Number.isInteger(rule.maxCriticality) && rule.maxCriticality >= 1)) problems.push('maxCriticality must be an integer >= 1');
  if (rule.minUsersAffected !== undefined && !(Number.isInteger(rule.minUsersAffected) && rule.minUsersAffected >= 0)) problems.push('minUsersAffected must be an integer >= 0');
  return problems;
}

/**
 * Classifies an incident: the effective impact is the reported one, raised (never lowered) by
 * the most raising matching rule; the priority is the matrix of that impact and the urgency.
 * `callerVip` has no effect. Throws StewardError 'invalid' for out-of-range input or a bad rule.
 */
export function classifyIncident(input: ClassifyIncidentInput): IncidentClassification {
  const reported = level('impact', input.impact);
  const urgency = level('urgency', input.urgency);
  const { criticality, usersAffected } = input.service ?? ({} as ServiceImpactFacts);
  if (!Number.isInteger(criticality) || criticality < 1) throw new StewardError('invalid', 'service criticality must be an integer >= 1', { criticality });
  if (!Number.isInteger(usersAffected) || usersAffected < 0) throw new StewardError('invalid', 'users affected must be an integer >= 0', { usersAffected });

  let effective = reported;
  let raisedBy: ImpactRaisingRule | undefined;
  for (const rule of input.rules ?? DEFAULT_IMPACT_RULES) {
    const problems = impactRuleProblems(rule);
    if (problems.length > 0) throw new StewardError('invalid', `impact rule ${rule.id ?? describeImpactRule(rule)} is invalid: ${problems.join('; ')}`, { rule: rule.id });
    const matches =
      (rule.maxCriticality !== undefined && criticality <= rule.maxCriticality) || (rule.minUsersAffected !== undefined && usersAffected >= rule.minUsersAffected);
    // Strictly lower only: of two rules raising to the same level, the first listed is named.
    if (matches && rule.raiseTo < effective) {
      effective = rule.raiseTo;
      raisedBy = rule;
    }
  }

  const priority = PRIORITY_MATRIX[effective][urgency];
  return {
    priority,
    major: isMajorPriority(priority),
    impact: raisedBy ? { reported, effective, raisedBy: describeImpactRule(raisedBy) } : { reported, effective },
    urgency,
  };
}

function isLevel(value: unknown): value is 1 | 2 | 3 {
  return value === 1 || value === 2 || value === 3;
}

function level(name: 'impact' | 'urgency', value: unknown): 1 | 2 | 3 {
  if (!isLevel(value)) throw new StewardError('invalid', `${name} must be an integer 1..3`, { [name]: value });
  return value;
}
