import { IANAZone } from 'luxon';

/*
 * Recurrences are expanded in "floating" time: a Date whose UTC fields hold a reading of a wall
 * clock (22:00 on Saturday) that belongs to no zone yet. Only then is each reading placed in the
 * window's zone, so a weekly 22:00 window stays at 22:00 local on both sides of a DST change
 * instead of drifting by an hour, as it would if the recurrence stepped in real time.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Whether the runtime's time-zone database knows this IANA zone name (`Europe/Paris`). */
export function isKnownTimeZone(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && IANAZone.isValidZone(name);
}

function zoneOf(timezone: string): IANAZone {
  const zone = IANAZone.create(timezone);
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${timezone}`);
  return zone;
}

/**
 * The real instant at which the zone's clocks show this floating reading.
 * - In a spring-forward gap the reading never happens; it is read with the offset in force
 *   before the gap, so 02:30 becomes 03:30 (RFC 5545 §3.3.5, and luxon's default).
 * - In a fall-back overlap the reading happens twice; the earlier instant is taken, so a
 *   window opens at its first chance rather than an hour late.
 */
export function wallClockToInstant(wall: Date, timezone: string): Date {
  const zone = zoneOf(timezone);
  const local = wall.getTime();
  // A reading is at most a day away from its instant, so the offsets in force a day either
  // side are the only ones it can have been read with (no zone changes offset twice in a day).
  const offsets = [...new Set([zone.offset(local - DAY_MS), zone.offset(local + DAY_MS)])];
  const instants = offsets.map((offset) => local - offset * MINUTE_MS).filter((instant) => zone.offset(instant) * MINUTE_MS === local - instant);
  if (instants.length > 0) return new Date(Math.min(...instants));
  // A gap only opens when clocks jump forward, so the offset before it is the smaller one.
  return new Date(local - Math.min(...offsets) * MINUTE_MS);
}

/** The floating reading that the zone's clocks show at this instant. */
export function instantToWallClock(instant: Date, timezone: string): Date {
  const zone = zoneOf(timezone);
  return new Date(instant.getTime() + zone.offset(instant.getTime()) * MINUTE_MS);
}
