import type { FreezePeriod } from './freeze';
import { freezeBlocks, freezesAt } from './freeze';

const freeze = (id: string, over: Partial<FreezePeriod> = {}): FreezePeriod => ({
  id,
  name: `freeze ${id}`,
  start: new Date('2026-12-20T00:00:00Z'),
  end: new Date('2027-01-04T00:00:00Z'),
  reason: 'year-end close',
  allowEmergency: false,
  ...over,
});
const payments = { key: 'svc-payments', tags: ['payments'] };
const web = { key: 'svc-web', tags: ['frontend'] };

describe('freezesAt', () => {
  const freezes = [
    freeze('all'),
    freeze('payments', { scope: { tags: ['payments'] }, allowEmergency: true }),
    freeze('later', { start: new Date('2027-02-01T00:00:00Z'), end: new Date('2027-02-02T00:00:00Z') }),
  ];

  it('returns the freezes in force at that instant for any of the CIs', () => {
    expect(freezesAt(freezes, [payments], new Date('2026-12-24T12:00:00Z')).map((f) => f.id)).toEqual(['all', 'payments']);
    expect(freezesAt(freezes, [web], new Date('2026-12-24T12:00:00Z')).map((f) => f.id)).toEqual(['all']);
  });

  it('treats a freeze as half-open: in force at its start, over at its end', () => {
    expect(freezesAt(freezes, [payments], new Date('2026-12-20T00:00:00Z'))).toHaveLength(2);
    expect(freezesAt(freezes, [payments], new Date('2027-01-04T00:00:00Z'))).toEqual([]);
  });

  it('lets an emergency change through only the freezes that allow it', () => {
    expect(freezesAt(freezes, [payments], new Date('2026-12-24T12:00:00Z'), true).map((f) => f.id)).toEqual(['all']);
  });
});

describe('freezeBlocks', () => {
  it('blocks when the freeze covers any one of the CIs', () => {
    const scoped = freeze('p', { scope: { cis: ['svc-payments'] } });
    expect(freezeBlocks(scoped, [web, payments])).toBe(true);
    expect(freezeBlocks(scoped, [web])).toBe(false);
  });
});
