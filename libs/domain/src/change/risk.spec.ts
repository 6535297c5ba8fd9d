import { assessRisk, riskLevelFor, type RiskInput } from './risk';

const GOOD_BACKOUT = 'Redeploy the previous release with the pipeline and verify the health checks pass.';

const input = (over: Partial<RiskInput> = {}): RiskInput => ({
  type: 'normal',
  cis: [{ key: 'app-catalog', environment: 'staging', criticality: 4 }],
  blastRadius: { impactedCis: 0, usersAffected: 0, maxImpactedCriticality: null },
  history: { changes: 0, failed: 0 },
  plan: { steps: 2, automatedSteps: 2, stepsWithRollback: 2, backoutPlan: GOOD_BACKOUT },
  testEvidence: 'https://ci.example.com/runs/812',
  ...over,
});

const points = (assessment: ReturnType<typeof assessRisk>, name: string): number | undefined =>
  assessment.factors.find((f) => f.name === name)?.points;

describe('assessRisk', () => {
  it('rates a small, tested change to a criticality-4 staging app low', () => {
    const small = input({ blastRadius: { impactedCis: 1, usersAffected: 20, maxImpactedCriticality: 4 } });
    expect(assessRisk({ ...small, type: 'standard' }).level).toBe('low');
    expect(assessRisk(small).level).toBe('low');
  });

  it('rates a normal change to a criticality-2 production app with ~50 impacted CIs medium', () => {
    const assessment = assessRisk(
      input({
        cis: [{ key: 'app-orders', environment: 'production', criticality: 2 }],
        blastRadius: { impactedCis: 50, usersAffected: 800, maxImpactedCriticality: 2 },
        history: { changes: 10, failed: 1 },
      }),
    );
    expect(assessment.level).toBe('medium');
  });

  it('rates an untested change to a criticality-1 production database serving >1000 users high or critical', () => {
    const db = input({
      cis: [{ key: 'db-payments', environment: 'production', criticality: 1 }],
      blastRadius: { impactedCis: 0, usersAffected: 1001, maxImpactedCriticality: null },
      testEvidence: null,
    });
    expect(['high', 'critical']).toContain(assessRisk(db).level);
    expect(['high', 'critical']).toContain(assessRisk({ ...db, blastRadius: { impactedCis: 30, usersAffected: 20000, maxImpactedCriticality: 1 } }).level);
  });

  it('reaches critical for an untested emergency on a critical production core with a poor backout', () => {
    const assessment = assessRisk({
      type: 'emergency',
      cis: [{ key: 'db-core', environment: 'production', criticality: 1 }],
      blastRadius: { impactedCis: 400, usersAffected: 50000, maxImpactedCriticality: 1 },
      history: { changes: 8, failed: 4 },
      plan: { steps: 4, automatedSteps: 1, stepsWithRollback: 1, backoutPlan: 'revert' },
      testEvidence: '  ',
    });
    expect(assessment.level).toBe('critical');
    expect(assessment.score).toBeLessThanOrEqual(100);
  });

  it('explains every factor, so a CAB member sees why', () => {
    const assessment = assessRisk(
      input({
        cis: [
          { key: 'app-orders', environment: 'staging', criticality: 3 },
          { key: 'db-orders', environment: 'production', criticality: 1 },
        ],
        blastRadius: { impactedCis: 12, usersAffected: 3000, maxImpactedCriticality: 2 },
        history: { changes: 4, failed: 1 },
        plan: { steps: 4, automatedSteps: 3, stepsWithRollback: 3, backoutPlan: 'restore snapshot' },
        testEvidence: undefined,
      }),
    );
    expect(assessment.factors.map((f) => [f.name, f.points, f.detail])).toEqual([
      ['ci-criticality', 25, 'The most critical affected CI, db-orders, has criticality 1 (1 is the highest).'],
      ['production', 12, '1 affected CI in production: db-orders.'],
      ['impacted-cis', 4, '12 other CIs depend on the affected CIs.'],
      ['users-affected', 9, 'About 3000 users rely on what the change touches.'],
      ['critical-impacted', 4, 'The most critical impacted CI has criticality 2.'],
      ['change-type', 0, 'A normal change: no adjustment.'],
      ['failure-history', 4, '1 of 4 earlier changes on these CIs failed (25%).'],
      ['rollback-coverage', 3, '1 of 4 steps has no rollback action.'],
      ['manual-steps', 1, '1 of 4 steps is manual.'],
      ['backout-plan', 4, 'The backout plan is only 16 characters long.'],
      ['test-evidence', 10, 'No test evidence is attached.'],
    ]);
    expect(assessment.score).toBe(76);
    expect(assessment.level).toBe('critical');
  });

  it('scores the sum of its factors, clamped to 0..100', () => {
    const low = assessRisk(input({ type: 'standard' }));
    expect(low.score).toBe(0);
    expect(low.factors.reduce((sum, f) => sum + f.points, 0)).toBeLessThan(0);
    const mid = assessRisk(input());
    expect(mid.score).toBe(mid.factors.reduce((sum, f) => sum + f.points, 0));
  });

  it('lets the type move the score: emergency adds, standard lowers', () => {
    const base = input({ cis: [{ key: 'app', environment: 'production', criticality: 2 }] });
    const normal = assessRisk(base).score;
    expect(assessRisk({ ...base, type: 'emergency' }).score).toBeGreaterThan(normal);
    expect(assessRisk({ ...base, type: 'standard' }).score).toBeLessThan(normal);
  });

  it('judges failure history only from 3 earlier changes on', () => {
    expect(points(assessRisk(input({ history: { changes: 2, failed: 2 } })), 'failure-history')).toBe(0);
    expect(points(assessRisk(input({ history: { changes: 3, failed: 3 } })), 'failure-history')).toBe(15);
    expect(points(assessRisk(input({ history: { changes: 3, failed: 9 } })), 'failure-history')).toBe(15);
  });

  it('charges missing rollbacks and a missing backout plan', () => {
    const plan = { steps: 5, automatedSteps: 5, stepsWithRollback: 0, backoutPlan: '' };
    const assessment = assessRisk(input({ plan }));
    expect(points(assessment, 'rollback-coverage')).toBe(10);
    expect(points(assessment, 'backout-plan')).toBe(8);
    expect(assessRisk(input({ plan: { ...plan, steps: 0 } })).factors.find((f) => f.name === 'rollback-coverage')?.detail).toBe('The plan has no steps.');
  });

  it('reads unknown criticality as the highest and bad counts as zero', () => {
    const odd = assessRisk(
      input({
        cis: [{ key: 'x', environment: 'staging', criticality: Number.NaN }],
        blastRadius: { impactedCis: -5, usersAffected: Number.NaN, maxImpactedCriticality: null },
      }),
    );
    expect(points(odd, 'ci-criticality')).toBe(25);
    expect(points(odd, 'impacted-cis')).toBe(0);
    expect(points(odd, 'users-affected')).toBe(0);
    expect(points(assessRisk(input({ cis: [] })), 'ci-criticality')).toBe(0);
  });

  it('never lowers the score for a larger blast radius', () => {
    const impacted = [0, 1, 2, 5, 10, 50, 100, 1000, 100000];
    const users = [0, 1, 10, 100, 1000, 10000, 1000000];
    const worst: Array<number | null> = [null, 4, 3, 2, 1];
    const score = (i: number, u: number, w: number | null) =>
      assessRisk(input({ cis: [{ key: 'app', environment: 'production', criticality: 3 }], blastRadius: { impactedCis: i, usersAffected: u, maxImpactedCriticality: w } })).score;
    for (let a = 0; a < impacted.length; a++) {
      for (let b = 0; b < users.length; b++) {
        for (let c = 0; c < worst.length; c++) {
          const here = score(impacted[a], users[b], worst[c]);
          if (a + 1 < impacted.length) expect(score(impacted[a + 1], users[b], worst[c])).toBeGreaterThanOrEqual(here);
          if (b + 1 < users.length) expect(score(impacted[a], users[b + 1], worst[c])).toBeGreaterThanOrEqual(here);
          if (c + 1 < worst.length) expect(score(impacted[a], users[b], worst[c + 1])).toBeGreaterThanOrEqual(here);
        }
      }
    }
  });

  it('is deterministic', () => {
    const x = input({ blastRadius: { impactedCis: 7, usersAffected: 70, maxImpactedCriticality: 3 } });
    expect(assessRisk(x)).toEqual(assessRisk(structuredClone(x)));
  });
});

describe('riskLevelFor', () => {
  it('cuts at 25, 50 and 75', () => {
    expect([0, 24, 25, 49, 50, 74, 75, 100].map(riskLevelFor)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
});
