import type { ScheduledChange } from './conflicts';
import { findConflicts } from './conflicts';

const change = (id: string, cis: string[], start: string, end: string): ScheduledChange => ({ id, cis, start: new Date(start), end: new Date(end) });
const dependsOn: Record<string, string[]> = { 'svc-payments': ['db-orders'] };
// One direction only, as a CMDB lookup would be: findConflicts asks both ways round.
const related = (a: string, b: string): boolean => (dependsOn[a] ?? []).includes(b);

describe('findConflicts', () => {
  it('reports overlapping changes on a shared CI', () => {
    const changes = [change('CHG-000002', ['db-orders', 'svc-web'], '2026-12-05T22:00Z', '2026-12-06T00:00Z'), change('CHG-000001', ['db-orders'], '2026-12-05T23:00Z', '2026-12-06T01:00Z')];
    expect(findConflicts(changes, related)).toEqual([{ a: 'CHG-000001', b: 'CHG-000002', cis: ['db-orders'] }]);
  });

  it('reports overlapping changes on related CIs, whichever side depends on the other', () => {
    const changes = [change('CHG-000001', ['db-orders'], '2026-12-05T22:00Z', '2026-12-06T00:00Z'), change('CHG-000002', ['svc-payments'], '2026-12-05T23:00Z', '2026-12-06T01:00Z')];
    expect(findConflicts(changes, related)).toEqual([{ a: 'CHG-000001', b: 'CHG-000002', cis: ['db-orders', 'svc-payments'] }]);
  });

  it('ignores changes that do not overlap in time, including back-to-back ones', () => {
    const changes = [change('CHG-000001', ['db-orders'], '2026-12-05T22:00Z', '2026-12-06T00:00Z'), change('CHG-000002', ['db-orders'], '2026-12-06T00:00Z', '2026-12-06T01:00Z')];
    expect(findConflicts(changes, related)).toEqual([]);
  });

  it('ignores overlapping changes on unrelated CIs', () => {
    const changes = [change('CHG-000001', ['svc-web'], '2026-12-05T22:00Z', '2026-12-06T00:00Z'), change('CHG-000002', ['db-orders'], '2026-12-05T22:00Z', '2026-12-06T00:00Z')];
    expect(findConflicts(changes, related)).toEqual([]);
  });

  it('reports each pair once, sorted by id', () => {
    const changes = ['CHG-000003', 'CHG-000001', 'CHG-000002'].map((id) => change(id, ['db-orders'], '2026-12-05T22:00Z', '2026-12-06T00:00Z'));
    expect(findConflicts(changes, related).map((c) => [c.a, c.b])).toEqual([
      ['CHG-000001', 'CHG-000002'],
      ['CHG-000001', 'CHG-000003'],
      ['CHG-000002', 'CHG-000003'],
    ]);
  });
});
