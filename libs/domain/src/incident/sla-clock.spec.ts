import { StewardError } from '../steward-error';
import { BUSINESS_DAY_MS, HOUR_MS, STANDARD_BUSINESS_CALENDAR as CAL } from './business-calendar';
import { PRIORITIES } from './priority';
import {
  DEFAULT_SLA_TARGETS,
  breached,
  dueAt,
  elapsed,
  isPaused,
  pause,
  pausedMs,
  remaining,
  resume,
  retarget,
  slaTargetFor,
  startClock,
  stop,
  type SlaClock,
} from './sla-clock';

const MIN = 60_000;
const T0 = new Date('2026-03-02T10:00:00.000Z'); // a Monday
const t = (minutes: number): Date => new Date(T0.getTime() + minutes * MIN);
// 2026-03-02 is a Monday. day('Fri', 16) is Friday 16:00 UTC of that week.
const DAYS = { Mon: 2, Tue: 3, Wed: 4, Thu: 5, Fri: 6, Sat: 7, nextMon: 9, nextTue: 10 } as const;
const day = (d: keyof typeof DAYS, hour: number, minute = 0): Date => new Date(Date.UTC(2026, 2, DAYS[d], hour, minute));

const clock24 = (targetMs = 60 * MIN): SlaClock => startClock({ target: 'resolution', targetMs, startedAt: T0 });

const fails = (code: 'invalid' | 'conflict', fn: () => unknown): void => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StewardError);
    expect((error as StewardError).code).toBe(code);
    return;
  }
  throw new Error(`expected a StewardError ${code}`);
};

describe('DEFAULT_SLA_TARGETS', () => {
  it('are the seed targets of issue 6', () => {
    const shown = Object.fromEntries(
      PRIORITIES.map((p) => [p, ['response', 'resolution'].map((k) => {
        const target = slaTargetFor(p, k as 'response');
        return target ? `${target.targetMs / MIN}m${target.businessHours ? ' business' : ''}` : null;
      })]),
    );
    expect(shown).toEqual({
      P1: ['15m', '240m'],
      P2: ['30m', '480m'],
      P3: ['240m business', `${(3 * BUSINESS_DAY_MS) / MIN}m business`],
      P4: [`${BUSINESS_DAY_MS / MIN}m business`, `${(10 * BUSINESS_DAY_MS) / MIN}m business`],
      P5: [null, null],
    });
    expect(DEFAULT_SLA_TARGETS.P3.resolution?.targetMs).toBe(24 * HOUR_MS);
  });
});

describe('a running clock', () => {
  it('counts wall time without a calendar', () => {
    const clock = clock24();
    expect(elapsed(clock, t(25))).toBe(25 * MIN);
    expect(remaining(clock, t(25))).toBe(35 * MIN);
    expect(dueAt(clock, t(25))).toEqual(t(60));
    expect(elapsed(clock, t(-5))).toBe(0);
  });

  it('breaches exactly at the target, not a millisecond before', () => {
    const clock = clock24();
    expect(breached(clock, new Date(t(60).getTime() - 1))).toBe(false);
    expect(breached(clock, t(60))).toBe(true);
    expect(remaining(clock, t(60))).toBe(0);
    expect(remaining(clock, t(75))).toBe(-15 * MIN);
    // Once breached, dueAt is the past instant of the breach.
    expect(dueAt(clock, t(75))).toEqual(t(60));
  });

  it('is an immutable value that survives JSON', () => {
    const clock = clock24();
    const paused = pause(clock, t(5), 'waiting for the vendor', 'user:alice');
    expect(clock.pauses).toEqual([]);
    expect(Object.isFrozen(paused)).toBe(true);
    expect(() => (paused.pauses as unknown[]).push({})).toThrow();
    const revived = JSON.parse(JSON.stringify(resume(paused, t(15), 'user:alice'))) as SlaClock;
    expect(elapsed(revived, t(30))).toBe(20 * MIN);
  });
});

describe('pause and resume', () => {
  it('excludes a pause and keeps its reason and who caused it', () => {
    const paused = pause(clock24(), t(10), 'pending third party: ISP ticket 4411', 'user:alice');
    expect(isPaused(paused, t(20))).toBe(true);
    expect(elapsed(paused, t(40))).toBe(10 * MIN);
    expect(dueAt(paused, t(40))).toBeNull();
    const resumed = resume(paused, t(40), 'user:bob');
    expect(isPaused(resumed, t(41))).toBe(false);
    expect(resumed.pauses).toEqual([
      { from: t(10).toISOString(), until: t(40).toISOString(), reason: 'pending third party: ISP ticket 4411', by: 'user:alice', resumedBy: 'user:bob' },
    ]);
    expect(elapsed(resumed, t(50))).toBe(20 * MIN);
    expect(pausedMs(resumed, t(50))).toBe(30 * MIN);
    expect(dueAt(resumed, t(50))).toEqual(t(90));
  });

  it('adds up several pauses', () => {
    let clock = clock24();
    clock = resume(pause(clock, t(10), 'vendor', 'user:a'), t(20), 'user:a');
    clock = resume(pause(clock, t(30), 'customer', 'user:b'), t(45), 'user:c');
    clock = pause(clock, t(50), 'vendor again', 'system');
    expect(clock.pauses.map((p) => [p.reason, p.by, p.resumedBy])).toEqual([
      ['vendor', 'user:a', 'user:a'],
      ['customer', 'user:b', 'user:c'],
      ['vendor again', 'system', null],
    ]);
    // Ran 0-10, 20-30, 45-50: 25 minutes; paused 10 + 15 + (still) 20.
    expect(elapsed(clock, t(70))).toBe(25 * MIN);
    expect(pausedMs(clock, t(70))).toBe(45 * MIN);
    clock = resume(clock, t(80), 'user:a');
    expect(dueAt(clock, t(80))).toEqual(t(80 + 35));
    expect(breached(clock, t(114))).toBe(false);
    expect(breached(clock, t(115))).toBe(true);
  });

  it('gives the figures as they stood at an earlier instant', () => {
    const clock = resume(pause(clock24(), t(10), 'vendor', 'user:a'), t(20), 'user:b');
    expect(isPaused(clock, t(15))).toBe(true);
    expect(elapsed(clock, t(15))).toBe(10 * MIN);
    expect(dueAt(clock, t(15))).toBeNull();
    expect(dueAt(clock, t(5))).toEqual(t(60));
  });

  it('accepts a zero-length pause and a pause at the start', () => {
    let clock = resume(pause(clock24(), T0, 'opened while pending', 'user:a'), t(10), 'user:a');
    clock = resume(pause(clock, t(10), 'blip', 'user:a'), t(10), 'user:a');
    expect(elapsed(clock, t(30))).toBe(20 * MIN);
  });

  it('refuses a double pause, a resume without pause and entries back in time', () => {
    const paused = pause(clock24(), t(10), 'vendor', 'user:a');
    fails('conflict', () => pause(paused, t(11), 'again', 'user:a'));
    fails('conflict', () => resume(clock24(), t(11), 'user:a'));
    fails('conflict', () => resume(resume(paused, t(12), 'user:a'), t(13), 'user:a'));
    fails('invalid', () => resume(paused, t(9), 'user:a'));
    fails('invalid', () => pause(clock24(), t(-1), 'vendor', 'user:a'));
    fails('invalid', () => pause(resume(paused, t(20), 'user:a'), t(15), 'vendor', 'user:a'));
    fails('invalid', () => pause(clock24(), t(1), ' ', 'user:a'));
    fails('invalid', () => pause(clock24(), t(1), 'vendor', ''));
    fails('invalid', () => resume(paused, t(20), ''));
  });
});

describe('stop', () => {
  it('freezes the figures and closes an open pause', () => {
    const stopped = stop(clock24(), t(20));
    expect(elapsed(stopped, t(500))).toBe(20 * MIN);
    expect(breached(stopped, t(500))).toBe(false);
    expect(dueAt(stopped, t(500))).toBeNull();
    const pausedThenStopped = stop(pause(clock24(), t(10), 'vendor', 'user:a'), t(30));
    expect(pausedThenStopped.pauses[0]).toMatchObject({ until: t(30).toISOString(), resumedBy: null });
    expect(elapsed(pausedThenStopped, t(90))).toBe(10 * MIN);
    expect(pausedMs(pausedThenStopped, t(90))).toBe(20 * MIN);
    fails('conflict', () => stop(stopped, t(30)));
    fails('conflict', () => pause(stopped, t(30), 'vendor', 'user:a'));
    fails('conflict', () => resume(pausedThenStopped, t(40), 'user:a'));
  });
});

describe('business-hours clocks', () => {
  const p3Response = (startedAt: Date): SlaClock => startClock({ target: 'response', targetMs: 4 * HOUR_MS, calendar: CAL, startedAt });

  it('counts business time across the night', () => {
    const clock = p3Response(day('Mon', 15));
    expect(elapsed(clock, day('Tue', 10))).toBe(3 * HOUR_MS);
    expect(dueAt(clock, day('Tue', 10))).toEqual(day('Tue', 11));
    expect(breached(clock, day('Tue', 11))).toBe(true);
  });

  it('counts business time across the weekend', () => {
    const clock = p3Response(day('Fri', 15));
    expect(elapsed(clock, day('Sat', 12))).toBe(2 * HOUR_MS);
    expect(dueAt(clock, day('Sat', 12))).toEqual(day('nextMon', 11));
    // Opened on Saturday: nothing counts until Monday 09:00.
    expect(dueAt(p3Response(day('Sat', 9)), day('Sat', 9))).toEqual(day('nextMon', 13));
  });

  it('excludes a pause measured in business time', () => {
    // Paused Friday 16:00 until Monday 10:00: two business hours paused, not 66 hours.
    const clock = resume(pause(p3Response(day('Fri', 15)), day('Fri', 16), 'pending customer', 'user:a'), day('nextMon', 10), 'user:a');
    expect(pausedMs(clock, day('nextMon', 12))).toBe(2 * HOUR_MS);
    expect(elapsed(clock, day('nextMon', 12))).toBe(3 * HOUR_MS);
    expect(dueAt(clock, day('nextMon', 12))).toEqual(day('nextMon', 13));
  });

  it('runs a P3 resolution of three business days to the third business day after', () => {
    const clock = startClock({ target: 'resolution', targetMs: DEFAULT_SLA_TARGETS.P3.resolution!.targetMs, calendar: CAL, startedAt: day('Wed', 13) });
    expect(dueAt(clock, day('Wed', 13))).toEqual(day('nextMon', 13));
  });
});

describe('retarget', () => {
  it('keeps the elapsed time and the pause ledger when the target changes', () => {
    // Opened as a P3-like 4-hour clock, paused once, then raised to a 60-minute target.
    const before = resume(pause(clock24(4 * HOUR_MS), t(10), 'vendor', 'user:a'), t(30), 'user:b');
    const after = retarget(before, 60 * MIN);
    expect(after.pauses).toEqual(before.pauses);
    expect(after.startedAt).toBe(before.startedAt);
    expect(elapsed(after, t(50))).toBe(elapsed(before, t(50)));
    expect(elapsed(after, t(50))).toBe(30 * MIN);
    expect(pausedMs(after, t(50))).toBe(20 * MIN);
    expect(remaining(after, t(50))).toBe(30 * MIN);
    expect(dueAt(after, t(50))).toEqual(t(80));
    expect(before.targetMs).toBe(4 * HOUR_MS);
  });

  it('keeps an open pause open, so dueAt stays null', () => {
    const paused = pause(clock24(), t(10), 'vendor', 'user:a');
    const after = retarget(paused, 30 * MIN);
    expect(dueAt(after, t(20))).toBeNull();
    expect(elapsed(resume(after, t(40), 'user:a'), t(50))).toBe(20 * MIN);
  });

  it('measures the kept history on a new calendar, pauses still excluded', () => {
    // A P3 on business hours, opened Monday 15:00, paused 16:00-Tuesday 10:00, raised on Tuesday 11:00 to a 24x7 P2.
    const p3 = resume(
      pause(startClock({ target: 'resolution', targetMs: 3 * BUSINESS_DAY_MS, calendar: CAL, startedAt: day('Mon', 15) }), day('Mon', 16), 'vendor', 'user:a'),
      day('Tue', 10),
      'user:a',
    );
    expect(elapsed(p3, day('Tue', 11))).toBe(2 * HOUR_MS);
    const p2 = retarget(p3, 8 * HOUR_MS, null);
    expect(p2.calendar).toBeNull();
    expect(elapsed(p2, day('Tue', 11))).toBe(2 * HOUR_MS);
    expect(dueAt(p2, day('Tue', 11))).toEqual(day('Tue', 17));
    // And back onto the calendar, the ledger unchanged.
    const again = retarget(p2, 3 * BUSINESS_DAY_MS, CAL);
    expect(elapsed(again, day('Tue', 11))).toBe(2 * HOUR_MS);
    expect(again.pauses).toEqual(p3.pauses);
    // Undefined keeps the calendar.
    expect(retarget(again, HOUR_MS).calendar).toEqual(CAL);
  });

  it('can breach at once when the new target is already used up', () => {
    const clock = retarget(clock24(4 * HOUR_MS), 15 * MIN);
    expect(breached(clock, t(20))).toBe(true);
    expect(dueAt(clock, t(20))).toEqual(t(15));
  });

  it('refuses a bad target or calendar', () => {
    fails('invalid', () => retarget(clock24(), 0));
    fails('invalid', () => retarget(clock24(), 1.5));
    fails('invalid', () => retarget(clock24(), MIN, { weekly: [], utcOffsetMinutes: 0 }));
  });
});

describe('startClock', () => {
  it('copies the calendar, so later edits of it change nothing', () => {
    const calendar = { weekly: CAL.weekly.map((e) => ({ ...e })), utcOffsetMinutes: 0 };
    const clock = startClock({ target: 'response', targetMs: HOUR_MS, calendar, startedAt: day('Mon', 9) });
    calendar.weekly[0].end = '10:00';
    expect(dueAt(clock, day('Mon', 9))).toEqual(day('Mon', 10));
    expect(elapsed(clock, day('Mon', 12))).toBe(3 * HOUR_MS);
  });

  it('refuses bad input', () => {
    fails('invalid', () => startClock({ target: 'response', targetMs: -1, startedAt: T0 }));
    fails('invalid', () => startClock({ target: 'other' as 'response', targetMs: 1, startedAt: T0 }));
    fails('invalid', () => startClock({ target: 'response', targetMs: 1, startedAt: new Date('nope') }));
    fails('invalid', () => elapsed(clock24(), new Date(NaN)));
  });
});
