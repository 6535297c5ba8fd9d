import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('is independent of key order at every depth', () => {
    const a = { steps: [{ id: 's1', action: { url: 'u', method: 'POST' } }], backout: 'b' };
    const b = { backout: 'b', steps: [{ action: { method: 'POST', url: 'u' }, id: 's1' }] };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('keeps array order, because step order is part of the plan', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('drops undefined fields like JSON does and refuses values JSON cannot carry', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
  });
});
