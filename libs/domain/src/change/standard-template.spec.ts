import type { PlanStep } from './change-vocabulary';
import { templateDeviation, type StandardTemplate } from './standard-template';

const restart: PlanStep = { id: 'restart', name: 'Restart', kind: 'automated', action: { type: 'http', url: 'https://ops.example.com/restart' }, rollback: {}, estimatedMinutes: 2 };
const template: StandardTemplate = { templateId: 'restart-web', version: 3, ciKeys: ['host-web-01', 'host-web-02'], steps: [restart] };

describe('templateDeviation', () => {
  it('finds nothing when the steps are the template steps, on CIs it covers', () => {
    expect(templateDeviation(template, [restart], ['host-web-01'])).toBeUndefined();
  });

  it('compares steps by content, not by the order of their fields', () => {
    const reordered = JSON.parse(JSON.stringify({ estimatedMinutes: 2, rollback: {}, action: restart.action, kind: 'automated', name: 'Restart', id: 'restart' })) as PlanStep;
    expect(templateDeviation(template, [reordered], ['host-web-02'])).toBeUndefined();
  });

  it('refuses when there is no active template', () => {
    expect(templateDeviation(null, [restart], ['host-web-01'])).toBe('no active template with that id');
  });

  it('names the CIs the template does not cover', () => {
    expect(templateDeviation(template, [restart], ['host-web-01', 'db-payments', 'svc-intranet'])).toBe('template restart-web v3 does not cover db-payments, svc-intranet');
  });

  it.each<[string, PlanStep[]]>([
    ['an edited step', [{ ...restart, estimatedMinutes: 3 }]],
    ['an added step', [restart, { ...restart, id: 'restart-again' }]],
    ['no steps', []],
  ])('refuses %s', (_what, steps) => {
    expect(templateDeviation(template, steps, ['host-web-01'])).toBe('the steps differ from template restart-web v3');
  });
});
