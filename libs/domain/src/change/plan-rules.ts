import type { PlanStep } from './change-vocabulary';
import { httpCallSecretProblems } from './plan-secrets';

export const EXECUTORS = ['http', 'simulated'] as const;
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** A problem with one field of a plan, named by its path in the request. */
export interface PlanProblem {
  field: string;
  message: string;
}

function executorCallProblems(call: Record<string, unknown>, field: string): PlanProblem[] {
  const executor = call.executor;
  if (executor === 'http') {
    const problems: PlanProblem[] = [];
    let url: URL | undefined;
    try {
      url = typeof call.url === 'string' ? new URL(call.url) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol)) problems.push({ field: `${field}.url`, message: 'must be an http(s) URL' });
    if (call.method !== undefined && !(typeof call.method === 'string' && HTTP_METHODS.includes(call.method.toUpperCase()))) {
      problems.push({ field: `${field}.method`, message: `must be one of ${HTTP_METHODS.join(', ')}` });
    }
    // Credentials by reference only: no Authorization header, token or password in the plan.
    problems.push(...httpCallSecretProblems(call, field));
    return problems;
  }
  if (executor === 'simulated') {
    const problems: PlanProblem[] = [];
    if (call.outcome !== 'succeed' && call.outcome !== 'fail') problems.push({ field: `${field}.outcome`, message: 'must be "succeed" or "fail"' });
    if (call.durationMs !== undefined && !(Number.isInteger(call.durationMs) && (call.durationMs as number) >= 0 && (call.durationMs as number) <= 3_600_000)) {
      problems.push({ field: `${field}.durationMs`, message: 'must be an integer from 0 to 3600000' });
    }
    return problems;
  }
  return [{ field: `${field}.executor`, message: `must be one of ${EXECUTORS.join(', ')}` }];
}

/**
 * What is wrong with a plan beyond field types: duplicate step ids, and actions that do not
 * fit their step's kind. Every problem is returned, so the requester fixes them in one go.
 */
export function planProblems(steps: readonly PlanStep[], field = 'plan.steps'): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const seen = new Set<string>();
  steps.forEach((step, index) => {
    const at = `${field}.${index}`;
    if (seen.has(step.id)) problems.push({ field: `${at}.id`, message: `duplicate step id "${step.id}"` });
    seen.add(step.id);
    for (const part of ['action', 'rollback'] as const) {
      const call = step[part];
      if (step.kind === 'manual') {
        if (typeof call.instructions !== 'string' || call.instructions.trim().length === 0) {
          problems.push({ field: `${at}.${part}.instructions`, message: 'a manual step needs instructions for the release engineer' });
        }
      } else {
        problems.push(...executorCallProblems(call, `${at}.${part}`));
      }
    }
  });
  return problems;
}
