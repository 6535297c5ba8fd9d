import type { ImplementationPlan } from './change-vocabulary';
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/*
 * Not exported from the domain barrel: workflows import the barrel and may not load node:crypto.
 * Import it as `@steward/domain/change/plan-hash`; a workflow receives the hash with its input.
 */

/**
 * The hash approvals are bound to: SHA-256 of the canonical form of the steps, the promised
 * CMDB updates and the backout plan. Editing any of them changes it, which voids votes cast for
 * the old plan. Stored changes carry it, so its input form must never change.
 */
export function computePlanHash(plan: ImplementationPlan, backoutPlan: string): string {
  return createHash('sha256').update(canonicalJson({ steps: plan.steps, ciUpdates: plan.ciUpdates ?? [], backoutPlan })).digest('hex');
}
