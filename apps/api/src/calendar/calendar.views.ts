import { Logger } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { StewardError } from '@steward/domain';
import { upcomingOccurrences, windowOccurrences, type Interval } from '@steward/domain/calendar';
import { windowRuleOf, type ChangeFreezeEntity, type MaintenanceWindowEntity } from '@steward/persistence';

export class CalendarScopeView {
  @ApiProperty({ type: [String], description: 'Empty together with tags: every CI' }) cis: string[];
  @ApiProperty({ type: [String] }) tags: string[];
}

export class OccurrenceView {
  @ApiProperty({ example: '2026-12-05T21:00:00.000Z' }) start: string;
  @ApiProperty({ example: '2026-12-06T01:00:00.000Z' }) end: string;
}

export class MaintenanceWindowView {
  @ApiProperty({ example: '12' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() rrule: string;
  @ApiProperty() durationMinutes: number;
  @ApiProperty({ example: 'Europe/Paris' }) timezone: string;
  @ApiProperty({ type: CalendarScopeView }) scope: CalendarScopeView;
  @ApiProperty() createdBy: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: [OccurrenceView], description: 'The next 3 occurrences not yet ended (an open one first), looking up to 4 years ahead' })
  nextOccurrences: OccurrenceView[];
}

export class FreezeView {
  @ApiProperty({ example: '3' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() start: string;
  @ApiProperty() end: string;
  @ApiProperty() reason: string;
  @ApiProperty({ type: CalendarScopeView }) scope: CalendarScopeView;
  @ApiProperty() allowEmergency: boolean;
  @ApiProperty() createdBy: string;
  @ApiProperty() createdAt: string;
}

export class WindowOccurrenceView {
  @ApiProperty({ description: 'The maintenance window\'s id' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() start: string;
  @ApiProperty() end: string;
  @ApiProperty() timezone: string;
  @ApiProperty({ type: CalendarScopeView }) scope: CalendarScopeView;
}

export class ScheduledChangeView {
  @ApiProperty({ example: 'CHG-000123' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() state: string;
  @ApiProperty() start: string;
  @ApiProperty() end: string;
  @ApiProperty({ type: [String] }) cis: string[];
}

export class ConflictView {
  @ApiProperty({ example: 'CHG-000123', description: 'Sorts before b' }) a: string;
  @ApiProperty({ example: 'CHG-000124' }) b: string;
  @ApiProperty({ type: [String], description: 'Shared CIs, and both ends of each depends_on pair between them' }) cis: string[];
}

export class CalendarView {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ type: [WindowOccurrenceView], description: 'Every occurrence overlapping the range, by start' }) windows: WindowOccurrenceView[];
  @ApiProperty({ type: [FreezeView], description: 'Freezes overlapping the range, by start' }) freezes: FreezeView[];
  @ApiProperty({ type: [ScheduledChangeView], description: 'Changes scheduled in the range (not cancelled or rejected), by start' }) changes: ScheduledChangeView[];
  @ApiProperty({ type: [ConflictView], description: 'Overlapping changes on the same CI or on CIs linked by depends_on' }) conflicts: ConflictView[];
}

export class NextIntervalView {
  @ApiProperty({ type: OccurrenceView, nullable: true, description: 'Null when nothing fits within the horizon; `end` is where the eligible stretch closes' })
  interval: OccurrenceView | null;
  @ApiProperty({ example: "maintenance window 'Payments Sunday night' (Europe/Paris)" }) reason: string;
}

const logger = new Logger('Calendar');

/**
 * A stored window's occurrences, or none when its rule no longer validates (written around the
 * API, or read differently by a newer rule library): one bad row must not take the calendar down.
 */
export function safeOccurrences(window: MaintenanceWindowEntity, expand: (rule: ReturnType<typeof windowRuleOf>) => Interval[]): Interval[] {
  try {
    return expand(windowRuleOf(window));
  } catch (error) {
    if (!(error instanceof StewardError)) throw error;
    logger.warn({ windowId: window.id, err: error }, 'maintenance window cannot be expanded; left out');
    return [];
  }
}

export const toOccurrenceView = (o: Interval): OccurrenceView => ({ start: o.start.toISOString(), end: o.end.toISOString() });

export function toWindowView(window: MaintenanceWindowEntity, now: Date): MaintenanceWindowView {
  return {
    id: String(window.id),
    name: window.name,
    rrule: window.rrule,
    durationMinutes: window.durationMinutes,
    timezone: window.timezone,
    scope: { cis: window.scopeCis, tags: window.scopeTags },
    createdBy: window.createdBy,
    createdAt: window.createdAt.toISOString(),
    nextOccurrences: safeOccurrences(window, (rule) => upcomingOccurrences(rule, now, 3)).map(toOccurrenceView),
  };
}

export function toFreezeView(freeze: ChangeFreezeEntity): FreezeView {
  return {
    id: String(freeze.id),
    name: freeze.name,
    start: freeze.startAt.toISOString(),
    end: freeze.endAt.toISOString(),
    reason: freeze.reason,
    scope: { cis: freeze.scopeCis, tags: freeze.scopeTags },
    allowEmergency: freeze.allowEmergency,
    createdBy: freeze.createdBy,
    createdAt: freeze.createdAt.toISOString(),
  };
}

export function windowOccurrencesIn(window: MaintenanceWindowEntity, from: Date, to: Date): WindowOccurrenceView[] {
  return safeOccurrences(window, (rule) => windowOccurrences(rule, from, to)).map((o) => ({
    id: String(window.id),
    name: window.name,
    start: o.start.toISOString(),
    end: o.end.toISOString(),
    timezone: window.timezone,
    scope: { cis: window.scopeCis, tags: window.scopeTags },
  }));
}
