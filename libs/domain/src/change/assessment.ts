import type { ChangeType, PlanStep } from './change-vocabulary';
import type { RiskInput } from './risk';
import { templateDeviation, type StandardTemplate } from './standard-template';

/**
 * How far the impact analysis follows the CMDB graph from each CI of a change when assessing
 * it. Deep enough for any service chain in practice; a bound keeps one assessment's cost fixed.
 */
export const BLAST_RADIUS_DEPTH = 10;

/** A fact the assessment records on the change's timeline. */
export interface AssessmentEvent {
  type: 'standard_deviation' | 'standard_authorized';
  data: Record<string, unknown>;
}

export interface ChangeModel {
  /** The type the change is assessed (and governed) as. */
  type: ChangeType;
  /** True when a matching standard template authorizes it: no approval policy applies. */
  standardAuthorized: boolean;
  events: AssessmentEvent[];
}

/**
 * Which authorization model governs a change. A standard change that deviates from its
 * template in any way is downgraded to a normal change (and so goes to the CAB); one that
 * matches is authorized by the template. Normal and emergency changes stay what they are.
 */
export function changeModel(input: {
  type: ChangeType;
  templateId: string | null;
  template: (StandardTemplate & { cabApproval: string }) | null;
  steps: readonly PlanStep[];
  ciKeys: readonly string[];
}): ChangeModel {
  if (input.type !== 'standard') return { type: input.type, standardAuthorized: false, events: [] };
  const deviation = templateDeviation(input.template, input.steps, input.ciKeys);
  if (deviation || !input.template) {
    return { type: 'normal', standardAuthorized: false, events: [{ type: 'standard_deviation', data: { templateId: input.templateId, deviation, nowType: 'normal' } }] };
  }
  const { templateId, version, cabApproval } = input.template;
  return { type: 'standard', standardAuthorized: true, events: [{ type: 'standard_authorized', data: { templateId, version, cabApproval } }] };
}

/** One CI's impact analysis: the CIs that depend on it and the users hurt. */
export interface ImpactFacts {
  usersAffected: number;
  impacted: ReadonlyArray<{ key: string; criticality: number }>;
}

/**
 * The blast radius of a change from the impact analyses of its CIs: every impacted CI counted
 * once (at its most critical), the users of each analysis summed, and the most critical
 * impacted CI (1 is the most critical; null when nothing depends on the change's CIs).
 */
export function blastRadius(analyses: readonly ImpactFacts[]): RiskInput['blastRadius'] {
  const impacted = new Map<string, number>();
  let usersAffected = 0;
  for (const analysis of analyses) {
    usersAffected += analysis.usersAffected;
    for (const hit of analysis.impacted) {
      const known = impacted.get(hit.key);
      impacted.set(hit.key, known === undefined ? hit.criticality : Math.min(known, hit.criticality));
    }
  }
  return { impactedCis: impacted.size, usersAffected, maxImpactedCriticality: impacted.size ? Math.min(...impacted.values()) : null };
}

/** What the risk score weighs of a plan: how many steps, how many automated, how many can be undone. */
export function planQuality(steps: readonly PlanStep[], backoutPlan: string): RiskInput['plan'] {
  return {
    steps: steps.length,
    automatedSteps: steps.filter((s) => s.kind === 'automated').length,
    stepsWithRollback: steps.filter((s) => Object.keys(s.rollback ?? {}).length > 0).length,
    backoutPlan,
  };
}
