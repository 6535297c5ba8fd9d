import type { PlanStep } from './change-vocabulary';
import { blastRadius, changeModel, planQuality } from './assessment';

const step = (id: string, over: Partial<PlanStep> = {}): PlanStep => ({ id, name: id, kind: 'automated', action: { type: 'http', url: `https://ops.example.com/${id}` }, rollback: {}, estimatedMinutes: 2, ...over });
const restart = step('restart');
const template = { templateId: 'restart-web', version: 3, ciKeys: ['host-web-01'], steps: [restart], cabApproval: 'CAB-2026-11-04' };

describe('changeModel', () => {
  it('authorizes a standard change that matches its template', () => {
    expect(changeModel({ type: 'standard', templateId: 'restart-web', template, steps: [restart], ciKeys: ['host-web-01'] })).toEqual({
      type: 'standard',
      standardAuthorized: true,
      events: [{ type: 'standard_authorized', data: { templateId: 'restart-web', version: 3, cabApproval: 'CAB-2026-11-04' } }],
    });
  });

  it('downgrades a standard change that deviates from its template to a normal one, saying why', () => {
    expect(changeModel({ type: 'standard', templateId: 'restart-web', template, steps: [restart], ciKeys: ['db-payments'] })).toEqual({
      type: 'normal',
      standardAuthorized: false,
      events: [{ type: 'standard_deviation', data: { templateId: 'restart-web', deviation: 'template restart-web v3 does not cover db-payments', nowType: 'normal' } }],
    });
  });

  it('downgrades a standard change whose template is gone', () => {
    const model = changeModel({ type: 'standard', templateId: 'retired', template: null, steps: [restart], ciKeys: ['host-web-01'] });
    expect(model.type).toBe('normal');
    expect(model.events[0].data).toMatchObject({ templateId: 'retired', deviation: 'no active template with that id' });
  });

  it.each(['normal', 'emergency'] as const)('leaves a %s change as it is, even if it matches a template', (type) => {
    expect(changeModel({ type, templateId: 'restart-web', template, steps: [restart], ciKeys: ['host-web-01'] })).toEqual({ type, standardAuthorized: false, events: [] });
  });
});

describe('blastRadius', () => {
  it('is empty when nothing depends on the change', () => {
    expect(blastRadius([])).toEqual({ impactedCis: 0, usersAffected: 0, maxImpactedCriticality: null });
    expect(blastRadius([{ usersAffected: 40, impacted: [] }])).toEqual({ impactedCis: 0, usersAffected: 40, maxImpactedCriticality: null });
  });

  it('counts a CI impacted through two of the change CIs once, at its most critical', () => {
    const radius = blastRadius([
      { usersAffected: 100, impacted: [{ key: 'svc-payments', criticality: 3 }, { key: 'svc-intranet', criticality: 4 }] },
      { usersAffected: 250, impacted: [{ key: 'svc-payments', criticality: 2 }] },
    ]);
    expect(radius).toEqual({ impactedCis: 2, usersAffected: 350, maxImpactedCriticality: 2 });
  });

  it('takes the most critical impacted CI whichever analysis found it', () => {
    expect(blastRadius([{ usersAffected: 0, impacted: [{ key: 'a', criticality: 1 }] }, { usersAffected: 0, impacted: [{ key: 'b', criticality: 4 }] }]).maxImpactedCriticality).toBe(1);
  });
});

describe('planQuality', () => {
  it('counts steps, automated steps and steps that can be undone', () => {
    const steps = [step('a', { rollback: { type: 'http', url: 'https://ops.example.com/undo-a' } }), step('b', { kind: 'manual' }), step('c')];
    expect(planQuality(steps, 'redeploy')).toEqual({ steps: 3, automatedSteps: 2, stepsWithRollback: 1, backoutPlan: 'redeploy' });
  });
});
