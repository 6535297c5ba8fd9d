import { incidentTermsOf, instantOf } from './alert-mapping';

const alert = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
  labels,
  annotations,
  startsAt: '2026-11-20T10:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
  fingerprint: 'abc123',
});

describe('incidentTermsOf', () => {
  it('takes the CI from the ci label, else the service label', () => {
    expect(incidentTermsOf(alert({ ci: 'svc-a', service: 'svc-b' }))).toMatchObject({ ok: true, service: 'svc-a' });
    expect(incidentTermsOf(alert({ service: 'svc-b' }))).toMatchObject({ ok: true, service: 'svc-b' });
    expect(incidentTermsOf(alert({ ci: ' ', service: 'svc-b' }))).toMatchObject({ ok: true, service: 'svc-b' });
    expect(incidentTermsOf(alert({ job: 'x' }))).toEqual({ ok: false, error: 'no label names the affected CI (expected one of: ci, service)' });
    expect(incidentTermsOf(alert({ app: 'svc-c' }), ['app'])).toMatchObject({ ok: true, service: 'svc-c' });
  });

  it('maps severity to urgency and leaves impact at 2 for the CMDB to raise', () => {
    expect(incidentTermsOf(alert({ ci: 'a', severity: 'critical' }))).toMatchObject({ impact: 2, urgency: 1 });
    expect(incidentTermsOf(alert({ ci: 'a', severity: 'Warning' }))).toMatchObject({ impact: 2, urgency: 2 });
    expect(incidentTermsOf(alert({ ci: 'a', severity: 'info' }))).toMatchObject({ impact: 2, urgency: 3 });
    expect(incidentTermsOf(alert({ ci: 'a' }))).toMatchObject({ impact: 2, urgency: 2 });
  });

  it('prefers explicit impact and urgency labels, and ignores values outside 1..3 out loud', () => {
    expect(incidentTermsOf(alert({ ci: 'a', impact: '1', urgency: '3', severity: 'critical' }))).toMatchObject({ impact: 1, urgency: 3 });
    const odd = incidentTermsOf(alert({ ci: 'a', impact: '5', urgency: 'high', severity: 'page' }));
    expect(odd).toMatchObject({ ok: true, impact: 2, urgency: 2 });
    expect(odd.ok && odd.description).toContain('Ignored labels (not 1..3 or a known severity): impact="5", urgency="high", severity="page".');
  });

  it('titles from the summary, else the alert name; categorises by category, else the alert name', () => {
    expect(incidentTermsOf(alert({ ci: 'a', alertname: 'HighErrorRate' }, { summary: 'Errors above 5%' }))).toMatchObject({ title: 'Errors above 5%', category: 'HighErrorRate' });
    expect(incidentTermsOf(alert({ ci: 'a', alertname: 'HighErrorRate', category: 'availability' }))).toMatchObject({ title: 'HighErrorRate', category: 'availability' });
    expect(incidentTermsOf(alert({ ci: 'a' }))).toMatchObject({ title: 'Alert abc123', category: null });
  });

  it('describes from the description annotation, the labels and where the alert came from', () => {
    const terms = incidentTermsOf(alert({ ci: 'a', alertname: 'X' }, { description: '7% of requests fail' }), undefined, 'http://alertmanager:9093');
    expect(terms.ok && terms.description.split('\n')).toEqual([
      '7% of requests fail',
      'Alert abc123 firing since 2026-11-20T10:00:00Z. Labels: alertname=X, ci=a.',
      'Source: http://prometheus:9090/graph?g0.expr=up',
      'Alertmanager: http://alertmanager:9093',
    ]);
  });
});

describe('instantOf', () => {
  it('writes one instant one way, whatever the precision or offset it came in', () => {
    expect(instantOf('2026-11-20T12:00:00.123456789+02:00')).toBe('2026-11-20T10:00:00.123Z');
    expect(instantOf('2026-11-20T10:00:00.123Z')).toBe('2026-11-20T10:00:00.123Z');
  });
});
