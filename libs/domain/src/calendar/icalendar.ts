/*
 * iCalendar (RFC 5545) output for the change calendar, so that a mail client can import or
 * subscribe to windows, freezes and scheduled changes. Only what a published feed needs: one
 * VCALENDAR of VEVENTs with times in UTC, which every client reads without VTIMEZONE blocks.
 */

/** One event of a feed. Times are instants and are written in UTC. */
export interface ICalendarEvent {
  /** Globally unique and stable across exports, so a re-import updates instead of duplicating. */
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  categories?: readonly string[];
  /** Shown as free time (TRANSP:TRANSPARENT): a maintenance window is not a meeting. */
  transparent?: boolean;
}

export interface ICalendarOptions {
  /** PRODID, such as `-//Steward//Change Calendar//EN`. */
  prodId: string;
  /** When the feed is produced: the DTSTAMP of every event. */
  stamp: Date;
  /** X-WR-CALNAME, the name most clients give an imported or subscribed calendar. */
  name?: string;
}

const CRLF = '\r\n';
/** RFC 5545 §3.1: content lines SHOULD NOT be longer than 75 octets, excluding the line break. */
export const MAX_LINE_OCTETS = 75;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `20261205T210000Z`: a DATE-TIME in UTC (RFC 5545 §3.3.5, form 2). Milliseconds are dropped. */
export function formatUtcDateTime(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError('an iCalendar DATE-TIME needs a valid date');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`an iCalendar DATE-TIME needs a year from 0 to 9999, got ${year}`);
  return (
    `${pad(year, 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`
  );
}

/**
 * A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, every line break
 * (CRLF, CR or LF) written as `\n`. Other control characters are not allowed in TEXT and are
 * dropped; tabs stay.
 */
export function escapeText(value: string): string {
  return value
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[\\;,\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

// UTF-8 length of one code point.
function octets(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/**
 * Folds one content line (RFC 5545 §3.1) into physical lines of at most 75 octets of UTF-8,
 * joined by CRLF and a space; the space counts towards the next line's 75. A line is only
 * broken between code points, never inside a multi-octet character. No trailing CRLF.
 */
export function foldLine(line: string): string {
  const lines: string[] = [];
  let current = '';
  let size = 0;
  for (const char of line) {
    const length = octets(char.codePointAt(0) as number);
    if (size + length > MAX_LINE_OCTETS) {
      lines.push(current);
      // A continuation starts with the space that unfolding removes.
      current = ' ';
      size = 1;
    }
    current += char;
    size += length;
  }
  lines.push(current);
  return lines.join(CRLF);
}

function eventLines(event: ICalendarEvent, stamp: string): string[] {
  if (!(event.end.getTime() > event.start.getTime())) throw new RangeError(`event ${event.uid} must end after it starts`);
  const lines = [
    'BEGIN:VEVENT',
    `UID:${escapeText(event.uid)}`,
    `DTSTAMP:${stamp}`,
    `DTSTART:${formatUtcDateTime(event.start)}`,
    `DTEND:${formatUtcDateTime(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
  ];
  if (event.description !== undefined && event.description !== '') lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  if (event.categories && event.categories.length > 0) lines.push(`CATEGORIES:${event.categories.map(escapeText).join(',')}`);
  if (event.transparent) lines.push('TRANSP:TRANSPARENT');
  lines.push('END:VEVENT');
  return lines;
}

/**
 * A complete VCALENDAR (VERSION 2.0, GREGORIAN, METHOD PUBLISH) holding one VEVENT per event,
 * in the order given. Every content line is folded at 75 octets and ends with CRLF, the last
 * one included. Throws a RangeError for an invalid date or an event that does not end after
 * it starts.
 */
export function toICalendar(events: readonly ICalendarEvent[], options: ICalendarOptions): string {
  const stamp = formatUtcDateTime(options.stamp);
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${escapeText(options.prodId)}`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  if (options.name) lines.push(`X-WR-CALNAME:${escapeText(options.name)}`);
  for (const event of events) lines.push(...eventLines(event, stamp));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}
