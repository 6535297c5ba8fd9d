import { StewardError } from '../steward-error';
import {
  DEFAULT_IMPACT_RULES,
  PRIORITY_MATRIX,
  classifyIncident,
  describeImpactRule,
  impactRuleProblems,
  isMajorPriority,
  priorityFor,
  type ClassifyIncidentInput,
  type ImpactRaisingRule,
} from './priority';

// A criticality-4 service with a handful of users: no default rule raises anything.
const QUIET = { criticality: 4, usersAffected: 5 };
const LEVELS = [1, 2, 3] as const;

const invalid = (fn: () => unknown): void => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StewardError);
    expect((error as StewardError).code).toBe('invalid');
    return;
  }
  throw new Error('expected a StewardError invalid');
};

describe('priorityFor', () => {
  it('is the ITIL matrix of issue 6, cell by cell', () => {
    const expected: Record<string, string> = {
      '1x1': 'P1',
      '1x2': 'P2',
      '2x1': 'P2',
      '1x3': 'P3',
      '2x2': 'P3',
      '3x1': 'P3',
      '2x3': 'P4',
      '3x2': 'P4',
      '3x3': 'P5',
    };
    for (const impact of LEVELS) for (const urgency of LEVELS) expect(priorityFor(impact, urgency)).toBe(expected[`${impact}x${urgency}`]);
    expect(PRIORITY_MATRIX[2][3]).toBe('P4');
  });

  it('refuses anything but integers 1..3', () => {
    for (const bad of [0, 4, 1.5, NaN, -1, Infinity]) {
      invalid(() => priorityFor(bad, 1));
      invalid(() => priorityFor(1, bad));
    }
    invalid(() => priorityFor('1' as unknown as number, 1));
  });
});

describe('isMajorPriority', () => {
  it('is true for P1 and P2 only', () => {
    expect(['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => isMajorPriority(p as 'P1'))).toEqual([true, true, false, false, false]);
  });
});

describe('classifyIncident', () => {
  it('takes the matrix when no rule applies, and names no rule', () => {
    expect(classifyIncident({ impact: 2, urgency: 2, service: QUIET })).toEqual({
      priority: 'P3',
      major: false,
      impact: { reported: 2, effective: 2 },
      urgency: 2,
    });
  });

  it('raises the impact of a criticality-1 service to 1 and shows the rule', () => {
    const result = classifyIncident({ impact: 3, urgency: 2, service: { criticality: 1, usersAffected: 0 } });
    expect(result.impact).toEqual({ reported: 3, effective: 1, raisedBy: describeImpactRule(DEFAULT_IMPACT_RULES[0]) });
    expect(result.priority).toBe('P2');
    expect(result.major).toBe(true);
    expect(result.impact.raisedBy).toBe('service criticality 1 or at least 1000 users affected: impact at least 1');
  });

  it('raises by users affected alone, at the thresholds exactly', () => {
    expect(classifyIncident({ impact: 3, urgency: 3, service: { criticality: 4, usersAffected: 1000 } }).impact.effective).toBe(1);
    expect(classifyIncident({ impact: 3, urgency: 3, service: { criticality: 4, usersAffected: 999 } }).impact.effective).toBe(2);
    expect(classifyIncident({ impact: 3, urgency: 3, service: { criticality: 4, usersAffected: 100 } }).impact.effective).toBe(2);
    expect(classifyIncident({ impact: 3, urgency: 3, service: { criticality: 4, usersAffected: 99 } }).impact.effective).toBe(3);
  });

  it('raises a criticality-2 service to impact 2', () => {
    const result = classifyIncident({ impact: 3, urgency: 3, service: { criticality: 2, usersAffected: 0 } });
    expect(result.impact).toEqual({ reported: 3, effective: 2, raisedBy: 'service criticality 1..2 or at least 100 users affected: impact at least 2' });
    expect(result.priority).toBe('P4');
  });

  it('never lowers a reported impact', () => {
    for (const impact of LEVELS) {
      for (const service of [QUIET, { criticality: 1, usersAffected: 50000 }, { criticality: 2, usersAffected: 150 }]) {
        const result = classifyIncident({ impact, urgency: 3, service });
        expect(result.impact.effective).toBeLessThanOrEqual(impact);
        expect(result.impact.reported).toBe(impact);
      }
    }
    // Already impact 1: a matching rule changes nothing and is not named.
    expect(classifyIncident({ impact: 1, urgency: 1, service: { criticality: 1, usersAffected: 5000 } }).impact).toEqual({ reported: 1, effective: 1 });
  });

  it('uses the given rules instead of the defaults, the most raising one winning', () => {
    const rules: ImpactRaisingRule[] = [
      { id: 'many-users', minUsersAffected: 10, raiseTo: 2, description: 'ten users or more' },
      { id: 'tier-3', maxCriticality: 3, raiseTo: 1 },
    ];
    expect(classifyIncident({ impact: 3, urgency: 1, service: { criticality: 3, usersAffected: 10 }, rules }).impact).toEqual({
      reported: 3,
      effective: 1,
      raisedBy: 'service criticality 1..3: impact at least 1',
    });
    expect(classifyIncident({ impact: 3, urgency: 1, service: { criticality: 4, usersAffected: 10 }, rules }).impact.raisedBy).toBe('ten users or more');
    expect(classifyIncident({ impact: 3, urgency: 1, service: { criticality: 1, usersAffected: 5000 }, rules: [] }).impact).toEqual({ reported: 3, effective: 3 });
  });

  it('ignores callerVip: for every input, a VIP caller gets exactly what anyone else gets', () => {
    const services = [QUIET, { criticality: 1, usersAffected: 0 }, { criticality: 2, usersAffected: 150 }, { criticality: 3, usersAffected: 2000 }];
    for (const impact of LEVELS) {
      for (const urgency of LEVELS) {
        for (const service of services) {
          const base: ClassifyIncidentInput = { impact, urgency, service };
          const anyone = classifyIncident(base);
          expect(classifyIncident({ ...base, callerVip: true })).toEqual(anyone);
          expect(classifyIncident({ ...base, callerVip: false })).toEqual(anyone);
        }
      }
    }
    expect(JSON.stringify(classifyIncident({ impact: 3, urgency: 3, service: QUIET, callerVip: true }))).not.toMatch(/vip/i);
  });

  it('refuses invalid impact, urgency, service facts and rules', () => {
    invalid(() => classifyIncident({ impact: 0, urgency: 1, service: QUIET }));
    invalid(() => classifyIncident({ impact: 1, urgency: 4, service: QUIET }));
    invalid(() => classifyIncident({ impact: 2.5, urgency: 1, service: QUIET }));
    invalid(() => classifyIncident({ impact: 1, urgency: 1, service: { criticality: 0, usersAffected: 1 } }));
    invalid(() => classifyIncident({ impact: 1, urgency: 1, service: { criticality: 1, usersAffected: -1 } }));
    invalid(() => classifyIncident({ impact: 1, urgency: 1, service: undefined as unknown as typeof QUIET }));
    invalid(() => classifyIncident({ impact: 1, urgency: 1, service: QUIET, rules: [{ raiseTo: 1 }] }));
    invalid(() => classifyIncident({ impact: 1, urgency: 1, service: QUIET, rules: [{ maxCriticality: 1, raiseTo: 0 as 1 }] }));
  });

  it('does not modify the rules it is given', () => {
    const rules = DEFAULT_IMPACT_RULES.map((r) => ({ ...r }));
    classifyIncident({ impact: 3, urgency: 3, service: { criticality: 1, usersAffected: 5000 }, rules });
    expect(rules).toEqual(DEFAULT_IMPACT_RULES);
  });
});

describe('impactRuleProblems', () => {
  it('accepts the default rules and names what is wrong with a bad one', () => {
    for (const rule of DEFAULT_IMPACT_RULES) expect(impactRuleProblems(rule)).toEqual([]);
    expect(impactRuleProblems({ maxCriticality: 0, minUsersAffected: -5, raiseTo: 4 as 1 })).toEqual([
      'raiseTo must be an integer 1..3',
      'maxCriticality must be an integer >= 1',
      'minUsersAffected must be an integer >= 0',
    ]);
  });
});
