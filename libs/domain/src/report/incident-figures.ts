import type { Priority } from '../incident/priority';

/**
 * How one SLA clock of one incident ended, as the reports count it:
 * - `breached`: a breach was recorded under the incident's final priority, or the clock was
 *   stopped with its verdict `breached`;
 * - `met`: the clock was stopped in time;
 * - `running`: neither yet (left out of attainment, counted on its own);
 * - `no_target`: the priority has no such target (P5, planned work).
 * A breach recorded under a priority the incident was later re-classified away from does not
 * count: the re-targeted clock carried its elapsed time over and judges by the new target.
 */
export type ClockOutcome = 'met' | 'breached' | 'running' | 'no_target';

export const CLOCK_OUTCOMES: readonly ClockOutcome[] = ['met', 'breached', 'running', 'no_target'];

/** One incident_event row as the figures need it. */
export interface IncidentFact {
  type: string;
  at: Date;
  data: Record<string, unknown>;
}

/** What the reports count for one incident. */
export interface IncidentFigures {
  service: string;
  /** The last re-classification's `to`, else the priority it opened with. */
  priority: Priority;
  openedAt: Date;
  /** Opened major, or re-classified into P1/P2 at some point. */
  major: boolean;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  closed: boolean;
  escalations: number;
  missedStakeholderUpdates: number;
  response: ClockOutcome;
  resolution: ClockOutcome;
}

type Target = 'response' | 'resolution';

/**
 * The figures of one incident from its events alone (never from the mutable incident row), or
 * null when it has no `opened` event. Events are taken in time order; ties keep their given
 * (insertion) order. This is the definition the report SQL implements.
 */
export function incidentFigures(events: readonly IncidentFact[]): IncidentFigures | null {
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i).map((x) => x.e);
  const opened = ordered.find((e) => e.type === 'opened');
  if (!opened) return null;
  const of = (type: string) => ordered.filter((e) => e.type === type);
  const reclassifications = of('reclassified');
  const openedPriority = opened.data.priority as Priority;
  const priority = reclassifications.length > 0 ? (reclassifications[reclassifications.length - 1].data.to as Priority) : openedPriority;
  const first = (type: string) => of(type)[0]?.at ?? null;

  const outcome = (target: Target): ClockOutcome => {
    const breachedNow = of('sla_breached').some((e) => e.data.target === target && e.data.priority === priority);
    const stops = of('sla_stopped').filter((e) => e.data.target === target);
    const lastStop = stops[stops.length - 1];
    if (breachedNow || lastStop?.data.breached === true) return 'breached';
    if (lastStop) return 'met';
    const openedWithoutTarget = opened.data[`${target}TargetMs`] === null || opened.data[`${target}TargetMs`] === undefined;
    if (priority === 'P5' || (openedWithoutTarget && reclassifications.length === 0)) return 'no_target';
    return 'running';
  };

  return {
    service: String(opened.data.service),
    priority,
    openedAt: opened.at,
    major: opened.data.major === true || reclassifications.some((e) => e.data.to === 'P1' || e.data.to === 'P2'),
    acknowledgedAt: first('acknowledged'),
    resolvedAt: first('resolved'),
    closed: of('closed').length > 0,
    escalations: of('escalated').length,
    missedStakeholderUpdates: of('stakeholder_update_missed').length,
    response: outcome('response'),
    resolution: outcome('resolution'),
  };
}
