import type { ImplementationPlan } from '@steward/contracts';
import { canonicalJson } from '@steward/domain';
import { createHash } from 'node:crypto';

/**
 * The hash approvals are bound to: the canonical form of the steps, the promised CMDB updates
 * and the backout plan.
 * Editing either changes it, which voids votes cast for the old plan.
 */
export function computePlanHash(plan: ImplementationPlan, backoutPlan: string): string {
  return createHash('sha256').update(canonicalJson({ steps: plan.steps, ciUpdates: plan.ciUpdates ?? [], backoutPlan })).digest('hex');
}
