import { StewardError } from '../steward-error';
import { MAX_ESCALATION_REPEAT, escalationPlan, escalationPolicyProblems, escalationStepAt, nextEscalationStep, type EscalationPolicy } from './escalation';

const MIN = 60_000;
const START = new Date('2026-03-02T10:00:00.000Z');
const after = (minutes: number): Date => new Date(START.getTime() + minutes * MIN);

const policy = (over: Partial<EscalationPolicy> = {}): EscalationPolicy => ({
  id: 'payments-oncall',
  version: 3,
  levels: [
    { targets: ['user:alice'], ackTimeoutMs: 5 * MIN },
    { targets: ['group:payments-team', 'user:bob'], ackTimeoutMs: 10 * MIN },
    { targets: ['group:duty-managers'], ackTimeoutMs: 15 * MIN },
  ],
  repeat: 0,
  ...over,
});

// level.round@notify-escalate, in minutes after START
const summary = (plan: ReturnType<typeof escalationPlan>): string[] =>
  plan.map((s) => `${s.level}.${s.round}@${(s.notifyAt.getTime() - START.getTime()) / MIN}-${(s.escalateAt.getTime() - START.getTime()) / MIN}`);

describe('escalationPlan', () => {
  it('notifies the levels in order, each when the previous timeout runs out', () => {
    const plan = escalationPlan(policy(), START);
    expect(summary(plan)).toEqual(['1.1@0-5', '2.1@5-15', '3.1@15-30']);
    expect(plan[1].targets).toEqual(['group:payments-team', 'user:bob']);
    expect(plan[0].notifyAt).toEqual(START);
  });

  it('runs all levels again for each repeat, round after round', () => {
    const plan = escalationPlan(policy({ repeat: 2 }), START);
    expect(summary(plan)).toEqual(['1.1@0-5', '2.1@5-15', '3.1@15-30', '1.2@30-35', '2.2@35-45', '3.2@45-60', '1.3@60-65', '2.3@65-75', '3.3@75-90']);
    // Strictly ordered and gapless: each notification is due when the previous one escalates.
    for (let i = 1; i < plan.length; i++) expect(plan[i].notifyAt).toEqual(plan[i - 1].escalateAt);
  });

  it('handles a single-level policy with repeats', () => {
    const plan = escalationPlan(policy({ levels: [{ targets: ['group:service-desk'], ackTimeoutMs: MIN }], repeat: 3 }), START);
    expect(summary(plan)).toEqual(['1.1@0-1', '1.2@1-2', '1.3@2-3', '1.4@3-4']);
  });

  it('is not changed by later edits of the policy object', () => {
    const p = policy();
    const plan = escalationPlan(p, START);
    p.levels[0].targets.push('user:mallory');
    expect(plan[0].targets).toEqual(['user:alice']);
  });

  it('refuses an invalid policy or start', () => {
    const bad: Array<Partial<EscalationPolicy>> = [
      { levels: [] },
      { repeat: -1 },
      { repeat: 1.5 },
      { repeat: MAX_ESCALATION_REPEAT + 1 },
      { version: 0 },
      { id: ' ' },
      { levels: [{ targets: [], ackTimeoutMs: MIN }] },
      { levels: [{ targets: ['alice'], ackTimeoutMs: MIN }] },
      { levels: [{ targets: ['team:x'], ackTimeoutMs: MIN }] },
      { levels: [{ targets: ['user:alice'], ackTimeoutMs: 0 }] },
      { levels: [{ targets: ['user:alice'], ackTimeoutMs: Infinity }] },
    ];
    for (const over of bad) {
      expect(escalationPolicyProblems(policy(over)).length).toBeGreaterThan(0);
      expect(() => escalationPlan(policy(over), START)).toThrow(StewardError);
    }
    expect(() => escalationPlan(policy(), new Date(NaN))).toThrow(StewardError);
    expect(escalationPolicyProblems(policy({ levels: [{ targets: ['user:alice', 'group:x'], ackTimeoutMs: MIN }] }))).toEqual([]);
  });
});

describe('nextEscalationStep', () => {
  const plan = escalationPlan(policy({ repeat: 1 }), START);

  it('gives the first notification strictly after now', () => {
    expect(summary([nextEscalationStep(plan, after(-1))!])).toEqual(['1.1@0-5']);
    // Just notified level 1 at START: the next is level 2.
    expect(summary([nextEscalationStep(plan, START)!])).toEqual(['2.1@5-15']);
    expect(summary([nextEscalationStep(plan, after(29))!])).toEqual(['1.2@30-35']);
    expect(summary([nextEscalationStep(plan, after(30))!])).toEqual(['2.2@35-45']);
  });

  it('gives null once every notification has been made', () => {
    expect(nextEscalationStep(plan, after(45))).toBeNull();
    expect(nextEscalationStep([], START)).toBeNull();
  });

  it('walks the whole plan in order when fed its own notification times', () => {
    const walked = [plan[0]];
    for (let step = nextEscalationStep(plan, plan[0].notifyAt); step; step = nextEscalationStep(plan, step.notifyAt)) walked.push(step);
    expect(walked).toEqual(plan);
  });
});

describe('escalationStepAt', () => {
  const plan = escalationPlan(policy(), START);

  it('gives the notification in force, switching exactly at the timeout', () => {
    expect(escalationStepAt(plan, after(-1))).toBeNull();
    expect(escalationStepAt(plan, START)?.level).toBe(1);
    expect(escalationStepAt(plan, new Date(after(5).getTime() - 1))?.level).toBe(1);
    expect(escalationStepAt(plan, after(5))?.level).toBe(2);
    expect(escalationStepAt(plan, after(29))?.level).toBe(3);
    expect(escalationStepAt(plan, after(30))).toBeNull();
  });
});
