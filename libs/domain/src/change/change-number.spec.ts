import { formatChangeId, isChangeId } from './change-number';

describe('change ids', () => {
  it('pads to six digits and grows past them', () => {
    expect(formatChangeId(123)).toBe('CHG-000123');
    expect(formatChangeId(1_234_567)).toBe('CHG-1234567');
  });

  it('refuses numbers that are not positive integers', () => {
    expect(() => formatChangeId(0)).toThrow(RangeError);
    expect(() => formatChangeId(1.5)).toThrow(RangeError);
  });

  it('recognises its own format only', () => {
    expect(isChangeId('CHG-000123')).toBe(true);
    expect(isChangeId('CHG-12')).toBe(false);
    expect(isChangeId('INC-000123')).toBe(false);
    expect(isChangeId("CHG-000001' OR 1=1")).toBe(false);
  });
});
