/** The parts of an Alertmanager alert the mapping reads. */
export interface AlertFacts {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  generatorURL?: string;
  fingerprint: string;
}

/** Labels that name the affected CI, the first present wins. */
export const DEFAULT_CI_LABELS = ['ci', 'service'] as const;

/** Alert severity speaks of how fast, not how wide: it sets urgency. */
const URGENCY_OF_SEVERITY: Record<string, number> = { critical: 1, warning: 2, info: 3 };

/** What an alert says about the incident it opens, before the CMDB has its say on impact. */
export type AlertIncidentTerms =
  | {
      ok: true;
      service: string;
      title: string;
      description: string;
      category: string | null;
      impact: number;
      urgency: number;
    }
  | { ok: false; error: string };

const level = (value: string | undefined): number | null => (value !== undefined && /^\s*[123]\s*$/.test(value) ? Number(value) : null);

/**
 * Maps a firing alert to incident terms. Impact: label `impact` (1..3), else 2 (the CMDB raises
 * it for a critical or widely used service). Urgency: label `urgency` (1..3), else from
 * `severity` (critical 1, warning 2, info 3), else 2. A label with a value outside those is
 * ignored and the description says so, rather than losing the alert over it.
 */
export function incidentTermsOf(alert: AlertFacts, ciLabels: readonly string[] = DEFAULT_CI_LABELS, externalURL?: string): AlertIncidentTerms {
  const { labels } = alert;
  const annotations = alert.annotations ?? {};
  const ciLabel = ciLabels.find((name) => (labels[name] ?? '').trim() !== '');
  if (!ciLabel) return { ok: false, error: `no label names the affected CI (expected one of: ${ciLabels.join(', ')})` };

  const ignored: string[] = [];
  const impact = level(labels.impact);
  if (labels.impact !== undefined && impact === null) ignored.push(`impact="${labels.impact}"`);
  const urgency = level(labels.urgency);
  if (labels.urgency !== undefined && urgency === null) ignored.push(`urgency="${labels.urgency}"`);
  const severity = labels.severity?.trim().toLowerCase();
  const severityUrgency = severity !== undefined ? URGENCY_OF_SEVERITY[severity] : undefined;
  if (urgency === null && severity !== undefined && severityUrgency === undefined) ignored.push(`severity="${labels.severity}"`);

  const alertname = labels.alertname?.trim() || null;
  const title = (annotations.summary?.trim() || alertname || `Alert ${alert.fingerprint}`).slice(0, 200);
  const category = (labels.category?.trim() || alertname)?.slice(0, 100) ?? null;
  const labelLine = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const description = [
    annotations.description?.trim() || null,
    `Alert ${alert.fingerprint} firing since ${alert.startsAt}. Labels: ${labelLine}.`,
    ignored.length > 0 ? `Ignored labels (not 1..3 or a known severity): ${ignored.join(', ')}.` : null,
    alert.generatorURL ? `Source: ${alert.generatorURL}` : null,
    externalURL ? `Alertmanager: ${externalURL}` : null,
  ]
    .filter((line): line is string => line !== null)
    .join('\n');

  return {
    ok: true,
    service: labels[ciLabel].trim(),
    title,
    description,
    category,
    impact: impact ?? 2,
    urgency: urgency ?? severityUrgency ?? 2,
  };
}

/** One instant, one key: the same time written with another precision or offset is a repeat. */
export function instantOf(timestamp: string): string {
  return new Date(timestamp).toISOString();
}
