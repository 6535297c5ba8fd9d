import type { ImplementationPlan, PlanStep } from './change-vocabulary';
import { computePlanHash as planHash } from './plan-hash';

const step: PlanStep = {
  id: 'deploy',
  name: 'Deploy',
  kind: 'automated',
  action: { type: 'http', url: 'https://deploy.example.com/run', method: 'POST' },
  rollback: { type: 'http', url: 'https://deploy.example.com/undo' },
  estimatedMinutes: 5,
} as PlanStep;

describe('computePlanHash', () => {
  it('is the SHA-256 stored changes were approved under (its input form never changes)', () => {
    expect(planHash({ steps: [step] }, 'redeploy')).toBe('e5e96123bda9b4f35a1b7036d9cdbb601d24946cb41199a309e73cde290e8dec');
  });

  it('does not depend on the order a client sent the fields in', () => {
    const reordered = JSON.parse(JSON.stringify({ rollback: step.rollback, estimatedMinutes: 5, kind: 'automated', name: 'Deploy', id: 'deploy', action: step.action })) as PlanStep;
    expect(planHash({ steps: [reordered] }, 'redeploy')).toBe(planHash({ steps: [step] }, 'redeploy'));
  });

  it('reads a plan without CMDB updates as one with none', () => {
    expect(planHash({ steps: [step], ciUpdates: [] }, 'redeploy')).toBe(planHash({ steps: [step] }, 'redeploy'));
  });

  it.each<[string, ImplementationPlan, string]>([
    ['the steps', { steps: [{ ...step, estimatedMinutes: 6 }] }, 'redeploy'],
    ['the CMDB updates', { steps: [step], ciUpdates: [{ ci: 'app-payments-api', version: '4.13.0' }] }, 'redeploy'],
    ['the backout plan', { steps: [step] }, 'redeploy the previous release'],
  ])('changes when %s change', (_what, plan, backout) => {
    expect(planHash(plan, backout)).not.toBe(planHash({ steps: [step] }, 'redeploy'));
  });
});
