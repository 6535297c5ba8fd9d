import { classifyDrift, type RecordedCi } from './drift';

const recorded: RecordedCi = { key: 'app-payments-api', version: '4.12.0', status: 'active', attributes: { replicas: 3, region: 'eu-west-1' } };
const at = (iso: string) => new Date(iso);

describe('classifyDrift', () => {
  it('finds nothing when the observation matches the record', () => {
    expect(classifyDrift(recorded, { key: recorded.key, version: '4.12.0', status: 'active', attributes: { replicas: 3 } })).toEqual([]);
  });

  it('ignores fields the source did not observe', () => {
    expect(classifyDrift(recorded, { key: recorded.key, version: '4.12.0' })).toEqual([]);
  });

  it('reports each differing field, unexplained without an authorizing change', () => {
    expect(classifyDrift(recorded, { key: recorded.key, version: '4.14.0', status: 'maintenance', attributes: { replicas: 5, zone: 'b' } })).toEqual([
      { key: recorded.key, field: 'version', recorded: '4.12.0', discovered: '4.14.0' },
      { key: recorded.key, field: 'status', recorded: 'active', discovered: 'maintenance' },
      { key: recorded.key, field: 'attributes.replicas', recorded: 3, discovered: 5 },
      { key: recorded.key, field: 'attributes.zone', recorded: null, discovered: 'b' },
    ]);
  });

  it('explains drift by the completed change that set exactly that value', () => {
    const drifts = classifyDrift(recorded, { key: recorded.key, version: '4.13.0', attributes: { replicas: 5 } }, [
      { changeId: 'CHG-000010', completedAt: at('2026-11-20T10:00:00Z'), version: '4.13.0', attributes: { replicas: 4 } },
    ]);
    expect(drifts).toEqual([
      { key: recorded.key, field: 'version', recorded: '4.12.0', discovered: '4.13.0', explainedBy: 'CHG-000010' },
      { key: recorded.key, field: 'attributes.replicas', recorded: 3, discovered: 5 },
    ]);
  });

  it('holds the newest change to its promise: an older change does not explain a value a newer one overrode', () => {
    const updates = [
      { changeId: 'CHG-000010', completedAt: at('2026-11-20T10:00:00Z'), version: '4.13.0' },
      { changeId: 'CHG-000011', completedAt: at('2026-11-25T10:00:00Z'), version: '4.14.0' },
    ];
    expect(classifyDrift(recorded, { key: recorded.key, version: '4.13.0' }, updates)[0].explainedBy).toBeUndefined();
    expect(classifyDrift(recorded, { key: recorded.key, version: '4.14.0' }, updates)[0].explainedBy).toBe('CHG-000011');
  });

  it('compares structured attribute values by content', () => {
    const withPorts: RecordedCi = { ...recorded, attributes: { ports: { http: 80, https: 443 } } };
    expect(classifyDrift(withPorts, { key: recorded.key, attributes: { ports: { https: 443, http: 80 } } })).toEqual([]);
  });
});
