import { appliesTo } from './scope';

const db = { key: 'db-orders', tags: ['database', 'payments'] };

describe('appliesTo', () => {
  it('covers every CI without a scope or with an empty one', () => {
    expect(appliesTo(undefined, db)).toBe(true);
    expect(appliesTo({}, db)).toBe(true);
    expect(appliesTo({ cis: [], tags: [] }, db)).toBe(true);
  });

  it('covers a CI listed by key or carrying one of the tags', () => {
    expect(appliesTo({ cis: ['db-orders'] }, db)).toBe(true);
    expect(appliesTo({ tags: ['network', 'payments'] }, db)).toBe(true);
    expect(appliesTo({ cis: ['svc-web'], tags: ['database'] }, db)).toBe(true);
  });

  it('does not cover other CIs', () => {
    expect(appliesTo({ cis: ['svc-web'] }, db)).toBe(false);
    expect(appliesTo({ cis: ['svc-web'], tags: ['network'] }, db)).toBe(false);
    expect(appliesTo({ tags: ['network'] }, { key: 'untagged', tags: [] })).toBe(false);
  });
});
