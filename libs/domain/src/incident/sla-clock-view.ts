import type { SlaClockView } from './incident-vocabulary';
import { dueAt, elapsed, isPaused, pausedMs, remaining, type SlaClock } from './sla-clock';

/**
 * The figures of a clock at `now`, computed from its facts only. `hasTarget` false: the
 * priority has no such target (the clock measures, never breaches); `breached`: whether a breach
 * was recorded for the current priority.
 */
export function slaClockView(clock: SlaClock, hasTarget: boolean, breached: boolean, now: Date): SlaClockView {
  return {
    target: clock.target,
    targetMs: hasTarget ? clock.targetMs : null,
    businessHours: clock.calendar !== null,
    startedAt: clock.startedAt,
    stoppedAt: clock.stoppedAt,
    paused: isPaused(clock, now),
    elapsedMs: elapsed(clock, now),
    pausedMs: pausedMs(clock, now),
    remainingMs: hasTarget ? remaining(clock, now) : null,
    dueAt: hasTarget ? (dueAt(clock, now)?.toISOString() ?? null) : null,
    breached,
    pauses: [...clock.pauses],
  };
}
