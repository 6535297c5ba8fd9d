import type { ICalendarEvent } from './icalendar';
import { MAX_LINE_OCTETS, escapeText, foldLine, formatUtcDateTime, toICalendar } from './icalendar';

const stamp = new Date('2026-11-30T09:15:42.123Z');
const event = (over: Partial<ICalendarEvent> = {}): ICalendarEvent => ({
  uid: 'freeze-7@steward',
  start: new Date('2026-12-19T23:00:00Z'),
  end: new Date('2027-01-03T23:00:00Z'),
  summary: 'Year-end freeze',
  ...over,
});
const unfold = (text: string): string => text.replace(/\r\n[ \t]/g, '');
const octets = (line: string): number => Buffer.byteLength(line, 'utf8');

describe('formatUtcDateTime', () => {
  it('writes the UTC form with a trailing Z and no milliseconds', () => {
    expect(formatUtcDateTime(new Date('2026-03-29T01:00:00+02:00'))).toBe('20260328T230000Z');
    expect(formatUtcDateTime(stamp)).toBe('20261130T091542Z');
    expect(formatUtcDateTime(new Date('0999-01-02T03:04:05Z'))).toBe('09990102T030405Z');
  });

  it('refuses an invalid date', () => {
    expect(() => formatUtcDateTime(new Date('nope'))).toThrow(RangeError);
  });
});

describe('escapeText', () => {
  it('escapes backslash, semicolon and comma, and writes line breaks as \\n', () => {
    expect(escapeText('a\\b;c,d')).toBe('a\\\\b\\;c\\,d');
    expect(escapeText('one\ntwo\r\nthree\rfour')).toBe('one\\ntwo\\nthree\\nfour');
    // The escape of a backslash is not escaped again.
    expect(escapeText('C:\\new')).toBe('C:\\\\new');
  });

  it('keeps colons, quotes, tabs and non-ASCII text; drops other control characters', () => {
    expect(escapeText('Note: "Zürich" \t 東京')).toBe('Note: "Zürich" \t 東京');
    expect(escapeText('bell\u0007 and nul\u0000')).toBe('bell and nul');
  });
});

describe('foldLine', () => {
  it('leaves a line of up to 75 octets alone', () => {
    const line = `SUMMARY:${'x'.repeat(MAX_LINE_OCTETS - 8)}`;
    expect(octets(line)).toBe(75);
    expect(foldLine(line)).toBe(line);
  });

  it('folds at 75 octets, the leading space of a continuation counting', () => {
    const line = `DESCRIPTION:${'a'.repeat(200)}`;
    const physical = foldLine(line).split('\r\n');
    // 212 octets: 75, then 74 after each leading space.
    expect(physical.map(octets)).toEqual([75, 75, 64]);
    expect(physical.slice(1).every((l) => l.startsWith(' '))).toBe(true);
    expect(unfold(foldLine(line))).toBe(line);
  });

  it('never splits a multi-octet character', () => {
    // é is 2 octets, 東 is 3, 😀 (a surrogate pair in JavaScript) is 4.
    for (const char of ['é', '東', '😀']) {
      const line = `SUMMARY:${char.repeat(60)}`;
      const folded = foldLine(line);
      const physical = folded.split('\r\n');
      expect(physical.every((l) => octets(l) <= MAX_LINE_OCTETS)).toBe(true);
      expect(physical.every((l) => !l.includes('\ufffd') && Buffer.from(l, 'utf8').toString('utf8') === l)).toBe(true);
      expect(unfold(folded)).toBe(line);
    }
    // 8 octets of "SUMMARY:" then 22 three-octet characters make 74; the 23rd must move.
    expect(octets(foldLine(`SUMMARY:${'東'.repeat(30)}`).split('\r\n')[0])).toBe(74);
  });
});

describe('toICalendar', () => {
  it('writes a calendar with CRLF after every line, the last one included', () => {
    const text = toICalendar([event()], { prodId: '-//Steward//Change Calendar//EN', stamp, name: 'Steward' });
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text.split('\r\n')).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Steward//Change Calendar//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'X-WR-CALNAME:Steward',
      'BEGIN:VEVENT',
      'UID:freeze-7@steward',
      'DTSTAMP:20261130T091542Z',
      'DTSTART:20261219T230000Z',
      'DTEND:20270103T230000Z',
      'SUMMARY:Year-end freeze',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ]);
  });

  it('writes description, categories and transparency, escaped and folded', () => {
    const description = 'Quarter close; no changes to ledgers, payments or reports.\nAsk the CAB, if in doubt.';
    const text = toICalendar(
      [
        event({ description, categories: ['freeze'], transparent: true }),
        event({ uid: 'change-CHG-000123@steward', summary: 'CHG-000123: Upgrade, then migrate', categories: ['change', 'a,b'] }),
      ],
      { prodId: '-//Steward//Change Calendar//EN', stamp },
    );
    const physical = text.split('\r\n');
    expect(physical.every((l) => octets(l) <= MAX_LINE_OCTETS)).toBe(true);
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    const lines = unfold(text).split('\r\n');
    expect(lines).toContain(`DESCRIPTION:${escapeText(description)}`);
    expect(lines).toContain('DESCRIPTION:Quarter close\\; no changes to ledgers\\, payments or reports.\\nAsk the CAB\\, if in doubt.');
    expect(lines).toContain('CATEGORIES:freeze');
    expect(lines).toContain('TRANSP:TRANSPARENT');
    expect(lines).toContain('SUMMARY:CHG-000123: Upgrade\\, then migrate');
    expect(lines).toContain('CATEGORIES:change,a\\,b');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(2);
    expect(lines.filter((l) => l === 'TRANSP:TRANSPARENT')).toHaveLength(1);
  });

  it('writes an empty calendar, and refuses an event that does not end after it starts', () => {
    expect(toICalendar([], { prodId: 'p', stamp })).toBe('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:p\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n');
    expect(() => toICalendar([event({ end: new Date('2026-12-19T23:00:00Z') })], { prodId: 'p', stamp })).toThrow(RangeError);
  });
});
