import { incidentFigures, type IncidentFact } from './incident-figures';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MIN);
const opened = (priority: string, over: Record<string, unknown> = {}): IncidentFact => ({
  type: 'opened',
  at: at(0),
  data: { priority, major: priority === 'P1' || priority === 'P2', service: 'svc-payments', responseTargetMs: priority === 'P5' ? null : 15 * MIN, resolutionTargetMs: priority === 'P5' ? null : 240 * MIN, ...over },
});
const ev = (type: string, minutes: number, data: Record<string, unknown> = {}): IncidentFact => ({ type, at: at(minutes), data });
const breach = (target: string, priority: string, minutes: number) => ev('sla_breached', minutes, { target, priority });
const stop = (target: string, priority: string, minutes: number, breached: boolean) => ev('sla_stopped', minutes, { target, priority, breached });

describe('incidentFigures', () => {
  it('is null without an opened event', () => {
    expect(incidentFigures([ev('acknowledged', 1)])).toBeNull();
  });

  it('takes service and priority from the opened event, and first acknowledgement and resolution', () => {
    const f = incidentFigures([opened('P2'), ev('acknowledged', 4), ev('escalated', 2), ev('escalated', 3), ev('stakeholder_update_missed', 70), ev('resolved', 90), ev('closed', 120)]);
    expect(f).toEqual({
      service: 'svc-payments',
      priority: 'P2',
      openedAt: at(0),
      major: true,
      acknowledgedAt: at(4),
      resolvedAt: at(90),
      closed: true,
      escalations: 2,
      missedStakeholderUpdates: 1,
      response: 'running',
      resolution: 'running',
    });
  });

  it('counts a clock stopped in time as met and a recorded breach as breached', () => {
    const f = incidentFigures([opened('P1'), stop('response', 'P1', 5, false), breach('resolution', 'P1', 240), stop('resolution', 'P1', 300, true)]);
    expect([f?.response, f?.resolution]).toEqual(['met', 'breached']);
  });

  it('lets a recorded breach under the final priority win over a later stop', () => {
    const f = incidentFigures([opened('P1'), breach('response', 'P1', 15), stop('response', 'P1', 20, false)]);
    expect(f?.response).toBe('breached');
  });

  it('ignores a breach under a priority the incident was re-classified away from', () => {
    const events = [opened('P2'), breach('response', 'P2', 30), ev('reclassified', 35, { from: 'P2', to: 'P3' })];
    expect(incidentFigures(events)).toMatchObject({ priority: 'P3', response: 'running', major: true });
    expect(incidentFigures([...events, stop('response', 'P3', 50, false)])?.response).toBe('met');
  });

  it('counts a breach once the incident is re-classified back to that priority', () => {
    const f = incidentFigures([opened('P2'), breach('response', 'P2', 30), ev('reclassified', 35, { from: 'P2', to: 'P3' }), ev('reclassified', 40, { from: 'P3', to: 'P2' })]);
    expect(f).toMatchObject({ priority: 'P2', response: 'breached' });
  });

  it('takes the last re-classification by time, whatever order the rows came in', () => {
    const f = incidentFigures([ev('reclassified', 50, { from: 'P4', to: 'P1' }), opened('P3'), ev('reclassified', 10, { from: 'P3', to: 'P4' })]);
    expect(f).toMatchObject({ priority: 'P1', major: true });
  });

  it('has no target for P5, also when re-classified into P5', () => {
    expect(incidentFigures([opened('P5')])).toMatchObject({ response: 'no_target', resolution: 'no_target', major: false });
    const f = incidentFigures([opened('P3'), ev('reclassified', 10, { from: 'P3', to: 'P5' })]);
    expect([f?.response, f?.resolution]).toEqual(['no_target', 'no_target']);
  });

  it('counts a P5 re-classified into P3 as running: the new priority has targets', () => {
    const f = incidentFigures([opened('P5'), ev('reclassified', 10, { from: 'P5', to: 'P3' })]);
    expect(f?.response).toBe('running');
  });

  it('has no target when the opened event carries none (a service without that target)', () => {
    const f = incidentFigures([opened('P4', { responseTargetMs: null })]);
    expect([f?.response, f?.resolution]).toEqual(['no_target', 'running']);
  });
});
