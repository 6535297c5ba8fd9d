/*
 * Calendar rules: maintenance windows, freezes, eligibility and conflicts. Kept out of the
 * domain index on purpose: they need rrule and luxon, which must stay out of the workflow
 * bundle. Activities and the API import this folder; workflows only sleep until the times an
 * activity computed here.
 */
export type { Interval } from './intervals';
export { clipIntervals, durationMs, intersectIntervals, overlaps, subtractIntervals, unionIntervals } from './intervals';
export type { CalendarScope, CiRef } from './scope';
export { appliesTo } from './scope';
export { instantToWallClock, isKnownTimeZone, wallClockToInstant } from './wall-clock';
export type { MaintenanceWindowRule, WindowRuleInput } from './maintenance-window';
export { MAX_WINDOW_MINUTES, MAX_WINDOW_OCCURRENCES, expandWindow, upcomingOccurrences, validateWindowRule, windowOccurrences } from './maintenance-window';
export type { FreezePeriod } from './freeze';
export { freezeBlocks, freezesAt } from './freeze';
export type { EligibilityQuery, EligibleInterval } from './eligibility';
export { DEFAULT_HORIZON_DAYS, nextEligibleInterval } from './eligibility';
export type { ChangeConflict, ScheduledChange } from './conflicts';
export { findConflicts } from './conflicts';
export type { ICalendarEvent, ICalendarOptions } from './icalendar';
export { MAX_LINE_OCTETS, escapeText, foldLine, formatUtcDateTime, toICalendar } from './icalendar';
