import { StewardError } from '../steward-error';

/** One level of an escalation policy: who is notified, and how long they have to acknowledge. */
export interface EscalationLevel {
  /** Groups (`group:service-desk`) or people (`user:alice`). */
  targets: string[];
  ackTimeoutMs: number;
}

/**
 * A stored escalation policy. An edit is a new version; an incident keeps (is pinned to) the
 * version in force when it opened. `repeat` is how many times the whole list of levels runs
 * again after the first round, so `repeat: 2` means three rounds (PagerDuty's "repeat N times").
 */
export interface EscalationPolicy {
  id: string;
  version: number;
  levels: EscalationLevel[];
  repeat: number;
}

/** One notification of a plan. `level` and `round` count from 1. */
export interface EscalationNotification {
  level: number;
  round: number;
  targets: string[];
  notifyAt: Date;
  /** When the next notification is due if nobody acknowledged this one. */
  escalateAt: Date;
}

// A plan is kept in workflow history; hundreds of rounds of paging is a typo, not a policy.
export const MAX_ESCALATION_REPEAT = 24;
const TARGET = /^(group|user):\S+$/;

/** Problems with a policy, as sentences; empty when it is valid. */
export function escalationPolicyProblems(policy: EscalationPolicy): string[] {
  const problems: string[] = [];
  if (typeof policy.id !== 'string' || policy.id.trim() === '') problems.push('id is required');
  if (!Number.isInteger(policy.version) || policy.version < 1) problems.push('version must be an integer >= 1');
  if (!Number.isInteger(policy.repeat) || policy.repeat < 0 || policy.repeat > MAX_ESCALATION_REPEAT) {
    problems.push(`repeat must be an integer 0..${MAX_ESCALATION_REPEAT}`);
  }
  if (!Array.isArray(policy.levels) || policy.levels.length === 0) {
    problems.push('a policy needs at least one level');
    return problems;
  }
  policy.levels.forEach((level, i) => {
    const n = i + 1;
    if (!Array.isArray(level.targets) || level.targets.length === 0) problems.push(`level ${n} needs at least one target`);
    else {
      const bad = level.targets.filter((t) => typeof t !== 'string' || !TARGET.test(t));
      if (bad.length > 0) problems.push(`level ${n} targets must be 'group:<name>' or 'user:<id>', not ${bad.map((t) => JSON.stringify(t)).join(', ')}`);
    }
    if (!Number.isInteger(level.ackTimeoutMs) || level.ackTimeoutMs <= 0) problems.push(`level ${n} ackTimeoutMs must be a positive integer`);
  });
  return problems;
}

/**
 * Every notification the policy makes for an incident that nobody acknowledges, in order: each
 * level of round 1, then each level of round 2, and so on. Each one is due when the previous
 * one's acknowledgement timeout runs out; the last one's `escalateAt` is when the policy is
 * exhausted. Throws StewardError 'invalid' for a bad policy or start time.
 */
export function escalationPlan(policy: EscalationPolicy, startedAt: Date): EscalationNotification[] {
  const problems = escalationPolicyProblems(policy);
  if (problems.length > 0) {
    throw new StewardError('invalid', `escalation policy ${policy.id} v${policy.version} is invalid: ${problems.join('; ')}`, { problems });
  }
  if (!(startedAt instanceof Date) || Number.isNaN(startedAt.getTime())) throw new StewardError('invalid', 'startedAt must be a valid date');

  const plan: EscalationNotification[] = [];
  let at = startedAt.getTime();
  for (let round = 1; round <= policy.repeat + 1; round++) {
    policy.levels.forEach((level, i) => {
      const escalateAt = at + level.ackTimeoutMs;
      // Copies, so that editing the policy object later cannot change a plan already made.
      plan.push({ level: i + 1, round, targets: [...level.targets], notifyAt: new Date(at), escalateAt: new Date(escalateAt) });
      at = escalateAt;
    });
  }
  return plan;
}

/**
 * The first notification of the plan that is still to come after `now` (strictly later), or
 * null when none is left. A workflow that has just sent a notification asks this for the next
 * one and sleeps until its `notifyAt`.
 */
export function nextEscalationStep(plan: readonly EscalationNotification[], now: Date): EscalationNotification | null {
  const t = now.getTime();
  return plan.find((step) => step.notifyAt.getTime() > t) ?? null;
}

/**
 * The notification in force at `now` (notified, timeout not yet run out), or null before the
 * plan starts and once it is exhausted. What `escalationLevel` reports for an incident.
 */
export function escalationStepAt(plan: readonly EscalationNotification[], now: Date): EscalationNotification | null {
  const t = now.getTime();
  return plan.find((step) => step.notifyAt.getTime() <= t && t < step.escalateAt.getTime()) ?? null;
}
