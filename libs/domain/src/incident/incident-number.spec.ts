import { formatIncidentId, isIncidentId } from './incident-number';

describe('incident numbers', () => {
  it('pads to six digits and grows past a million', () => {
    expect(formatIncidentId(45)).toBe('INC-000045');
    expect(formatIncidentId(1_234_567)).toBe('INC-1234567');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p as a sequence number', (n) => {
    expect(() => formatIncidentId(n)).toThrow(RangeError);
  });

  it('recognises what it formats, and nothing shorter', () => {
    expect(isIncidentId(formatIncidentId(7))).toBe(true);
    expect(isIncidentId('INC-45')).toBe(false);
    expect(isIncidentId('CHG-000045')).toBe(false);
  });
});
