import type { RiskAssessment, RiskFactor, RiskLevel } from './approval-vocabulary';
import type { ChangeType } from './change-vocabulary';

/** What the risk of a change is judged on: its CIs, their blast radius, their history and the plan. */
export interface RiskInput {
  type: ChangeType;
  cis: ReadonlyArray<{ key: string; environment: string; criticality: number }>;
  /** From the CMDB impact analysis of the change's CIs (their dependents, not the CIs themselves). */
  blastRadius: { impactedCis: number; usersAffected: number; maxImpactedCriticality: number | null };
  /** Earlier changes on these CIs, and how many of them failed or were rolled back. */
  history: { changes: number; failed: number };
  plan: { steps: number; automatedSteps: number; stepsWithRollback: number; backoutPlan: string };
  testEvidence?: string | null;
}

/**
 * The weights of the risk score, in one place so tuning them is one edit. Points per factor;
 * the score is their sum, clamped to 0..100. Blast radius grows with log10 so that the
 * thousandth impacted CI adds less than the tenth, and each blast factor is capped so no single
 * factor decides the level alone.
 */
export const RISK_WEIGHTS = {
  /** By criticality of the most critical affected CI (1 highest .. 4). */
  criticality: { 1: 25, 2: 12, 3: 6, 4: 2 } as Readonly<Record<1 | 2 | 3 | 4, number>>,
  production: 12,
  /** points = min(cap, perDecade x log10(1 + n)) */
  impactedCis: { perDecade: 4, cap: 10 },
  usersAffected: { perDecade: 2.5, cap: 10 },
  /** By criticality of the most critical impacted (dependent) CI. */
  criticalImpacted: { 1: 8, 2: 4, 3: 1, 4: 0 } as Readonly<Record<1 | 2 | 3 | 4, number>>,
  changeType: { standard: -10, normal: 0, emergency: 10 } as Readonly<Record<ChangeType, number>>,
  /** points = failureRate x this, only with at least `minChanges` earlier changes. */
  failureRate: { full: 15, minChanges: 3 },
  /** points = share of steps without a rollback action x this. */
  missingRollback: 10,
  /** points = share of manual steps x this: a person under pressure is the less repeatable executor. */
  manualSteps: 4,
  backoutPlan: { missing: 8, tooShort: 4, minLength: 40 },
  noTestEvidence: 10,
} as const;

/** Levels by score: below 25 low, below 50 medium, below 75 high, else critical. */
export function riskLevelFor(score: number): RiskLevel {
  if (score < 25) return 'low';
  if (score < 50) return 'medium';
  if (score < 75) return 'high';
  return 'critical';
}

// Bad counts (negative, NaN) are read as zero rather than breaking the assessment.
const count = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);
const tier = (criticality: number): 1 | 2 | 3 | 4 =>
  // An unknown criticality is read as the highest: an unclassified CI is not a safe CI.
  (Number.isFinite(criticality) ? Math.min(4, Math.max(1, Math.round(criticality))) : 1) as 1 | 2 | 3 | 4;
const logPoints = (n: number, w: { perDecade: number; cap: number }): number => Math.min(w.cap, Math.round(w.perDecade * Math.log10(1 + count(n))));
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const percent = (share: number): string => `${Math.round(share * 100)}%`;

function criticalityFactor(cis: RiskInput['cis']): RiskFactor {
  if (cis.length === 0) return { name: 'ci-criticality', points: 0, detail: 'The change names no configuration item.' };
  const top = cis.reduce((most, ci) => (tier(ci.criticality) < tier(most.criticality) ? ci : most));
  const level = tier(top.criticality);
  return {
    name: 'ci-criticality',
    points: RISK_WEIGHTS.criticality[level],
    detail: `The most critical affected CI, ${top.key}, has criticality ${level} (1 is the highest).`,
  };
}

function productionFactor(cis: RiskInput['cis']): RiskFactor {
  const prod = cis.filter((ci) => ci.environment === 'production').map((ci) => ci.key);
  if (prod.length === 0) return { name: 'production', points: 0, detail: 'No affected CI is in production.' };
  return { name: 'production', points: RISK_WEIGHTS.production, detail: `${plural(prod.length, 'affected CI')} in production: ${prod.join(', ')}.` };
}

function blastFactors(blast: RiskInput['blastRadius']): RiskFactor[] {
  const impacted = count(blast.impactedCis);
  const users = count(blast.usersAffected);
  const worst = blast.maxImpactedCriticality === null ? null : tier(blast.maxImpactedCriticality);
  return [
    {
      name: 'impacted-cis',
      points: logPoints(impacted, RISK_WEIGHTS.impactedCis),
      detail: impacted === 0 ? 'No other CI depends on the affected CIs.' : `${plural(impacted, 'other CI')} ${impacted === 1 ? 'depends' : 'depend'} on the affected CIs.`,
    },
    {
      name: 'users-affected',
      points: logPoints(users, RISK_WEIGHTS.usersAffected),
      detail: users === 0 ? 'No users are recorded as affected.' : `About ${plural(users, 'user')} ${users === 1 ? 'relies' : 'rely'} on what the change touches.`,
    },
    {
      name: 'critical-impacted',
      points: worst === null ? 0 : RISK_WEIGHTS.criticalImpacted[worst],
      detail: worst === null ? 'No dependent CI is impacted.' : `The most critical impacted CI has criticality ${worst}.`,
    },
  ];
}

function changeTypeFactor(type: ChangeType): RiskFactor {
  const detail: Record<ChangeType, string> = {
    standard: 'A standard change follows a pre-approved, proven template.',
    normal: 'A normal change: no adjustment.',
    emergency: 'An emergency change is prepared and reviewed under time pressure.',
  };
  return { name: 'change-type', points: RISK_WEIGHTS.changeType[type], detail: detail[type] };
}

function historyFactor(history: RiskInput['history']): RiskFactor {
  const changes = count(history.changes);
  const failed = Math.min(changes, count(history.failed));
  if (changes < RISK_WEIGHTS.failureRate.minChanges) {
    // Two changes, one failed, is an anecdote, not a 50% failure rate.
    return { name: 'failure-history', points: 0, detail: `Only ${plural(changes, 'earlier change')} on these CIs: too few to judge.` };
  }
  const rate = failed / changes;
  return {
    name: 'failure-history',
    points: Math.round(rate * RISK_WEIGHTS.failureRate.full),
    detail: `${failed} of ${changes} earlier changes on these CIs failed (${percent(rate)}).`,
  };
}

function planFactors(plan: RiskInput['plan']): RiskFactor[] {
  const steps = count(plan.steps);
  const factors: RiskFactor[] = [];
  if (steps === 0) {
    factors.push({ name: 'rollback-coverage', points: 0, detail: 'The plan has no steps.' });
    factors.push({ name: 'manual-steps', points: 0, detail: 'The plan has no steps.' });
  } else {
    const withoutRollback = steps - Math.min(steps, count(plan.stepsWithRollback));
    factors.push({
      name: 'rollback-coverage',
      points: Math.round((withoutRollback / steps) * RISK_WEIGHTS.missingRollback),
      detail: withoutRollback === 0 ? 'Every step has a rollback action.' : `${withoutRollback} of ${steps} steps ${withoutRollback === 1 ? 'has' : 'have'} no rollback action.`,
    });
    const manual = steps - Math.min(steps, count(plan.automatedSteps));
    factors.push({
      name: 'manual-steps',
      points: Math.round((manual / steps) * RISK_WEIGHTS.manualSteps),
      detail: manual === 0 ? 'Every step is automated.' : `${manual} of ${steps} steps ${manual === 1 ? 'is' : 'are'} manual.`,
    });
  }
  const backout = (plan.backoutPlan ?? '').trim();
  const w = RISK_WEIGHTS.backoutPlan;
  factors.push(
    backout.length === 0
      ? { name: 'backout-plan', points: w.missing, detail: 'There is no backout plan.' }
      : backout.length < w.minLength
        ? { name: 'backout-plan', points: w.tooShort, detail: `The backout plan is only ${backout.length} characters long.` }
        : { name: 'backout-plan', points: 0, detail: 'A backout plan is described.' },
  );
  return factors;
}

function testFactor(testEvidence: string | null | undefined): RiskFactor {
  return typeof testEvidence === 'string' && testEvidence.trim() !== ''
    ? { name: 'test-evidence', points: 0, detail: 'Test evidence is attached.' }
    : { name: 'test-evidence', points: RISK_WEIGHTS.noTestEvidence, detail: 'No test evidence is attached.' };
}

/**
 * The risk of a change as a 0..100 score: the sum of named factors (clamped), each with the
 * sentence a CAB member reads to see why. Every factor is listed, zero or not, so the console
 * shows what was considered as well as what counted. Pure and deterministic: the same input
 * always gives the same assessment, in the workflow and in the API alike.
 */
export function assessRisk(input: RiskInput): RiskAssessment {
  const factors: RiskFactor[] = [
    criticalityFactor(input.cis),
    productionFactor(input.cis),
    ...blastFactors(input.blastRadius),
    changeTypeFactor(input.type),
    historyFactor(input.history),
    ...planFactors(input.plan),
    testFactor(input.testEvidence),
  ];
  const sum = factors.reduce((total, f) => total + f.points, 0);
  const score = Math.min(100, Math.max(0, sum));
  return { score, level: riskLevelFor(score), factors };
}
