import type { PlanStep } from './change-vocabulary';
import { planProblems } from './plan-rules';

const automated = (id: string, over: Partial<PlanStep> = {}): PlanStep => ({
  id,
  name: `step ${id}`,
  kind: 'automated',
  action: { executor: 'simulated', outcome: 'succeed', durationMs: 10 },
  rollback: { executor: 'http', url: 'https://deploy.example.com/rollback', method: 'POST' },
  estimatedMinutes: 5,
  ...over,
});

describe('planProblems', () => {
  it('accepts well-formed automated and manual steps', () => {
    const manual: PlanStep = { id: 'm', name: 'check', kind: 'manual', action: { instructions: 'look' }, rollback: { instructions: 'undo' }, estimatedMinutes: 1 };
    expect(planProblems([automated('a'), manual])).toEqual([]);
  });

  it('names duplicate step ids', () => {
    expect(planProblems([automated('a'), automated('a')])).toEqual([{ field: 'plan.steps.1.id', message: 'duplicate step id "a"' }]);
  });

  it('names every bad executor field', () => {
    const problems = planProblems([
      automated('a', { action: { executor: 'ssh' }, rollback: { executor: 'http', url: 'ftp://x', method: 'BREW' } }),
      automated('b', { action: { executor: 'simulated', outcome: 'maybe', durationMs: -1 } }),
    ]);
    expect(problems.map((p) => p.field)).toEqual([
      'plan.steps.0.action.executor',
      'plan.steps.0.rollback.url',
      'plan.steps.0.rollback.method',
      'plan.steps.1.action.outcome',
      'plan.steps.1.action.durationMs',
    ]);
  });

  it('asks manual steps for instructions, not executors', () => {
    const manual: PlanStep = { id: 'm', name: 'check', kind: 'manual', action: { executor: 'simulated', outcome: 'succeed' }, rollback: { instructions: ' ' }, estimatedMinutes: 1 };
    expect(planProblems([manual]).map((p) => p.field)).toEqual(['plan.steps.0.action.instructions', 'plan.steps.0.rollback.instructions']);
  });
});
