import { toCsv, type CsvColumn } from '@steward/domain';
import type { ChangeRegister, ChangeRegisterRow, ChangeReport, ChangeReportRow, ChangeReportTotals, DurationFigures, IncidentFiguresView, IncidentReport, SlaFiguresView, SlaReport } from './report.views';

/** Marks the totals record: parentheses never occur in a CI key or change type, so it cannot be a group. */
export const ALL = '(all)';

const durationColumns = <Row>(name: string, pick: (row: Row) => DurationFigures): Array<CsvColumn<Row>> => [
  { header: `${name}_samples`, value: (r) => pick(r).samples },
  { header: `${name}_mean_ms`, value: (r) => pick(r).meanMs },
  { header: `${name}_mean`, value: (r) => pick(r).mean },
  { header: `${name}_p90_ms`, value: (r) => pick(r).p90Ms },
  { header: `${name}_p90`, value: (r) => pick(r).p90 },
];

type IncidentCsvRow = IncidentFiguresView & { service: string; priority: string };

const INCIDENT_COLUMNS: Array<CsvColumn<IncidentCsvRow>> = [
  { header: 'service', value: (r) => r.service },
  { header: 'priority', value: (r) => r.priority },
  { header: 'opened', value: (r) => r.opened },
  { header: 'acknowledged', value: (r) => r.acknowledged },
  { header: 'resolved', value: (r) => r.resolved },
  { header: 'closed', value: (r) => r.closed },
  { header: 'major', value: (r) => r.major },
  ...durationColumns<IncidentCsvRow>('mtta', (r) => r.mtta),
  ...durationColumns<IncidentCsvRow>('mttr', (r) => r.mttr),
  { header: 'missed_stakeholder_updates', value: (r) => r.missedStakeholderUpdates },
  { header: 'escalations', value: (r) => r.escalations },
  { header: 'breaches', value: (r) => r.breaches },
  { header: 'response_breaches', value: (r) => r.responseBreaches },
  { header: 'resolution_breaches', value: (r) => r.resolutionBreaches },
];

type SlaCsvRow = SlaFiguresView & { service: string; priority: string };

const SLA_COLUMNS: Array<CsvColumn<SlaCsvRow>> = [
  { header: 'service', value: (r) => r.service },
  { header: 'priority', value: (r) => r.priority },
  { header: 'incidents', value: (r) => r.incidents },
  ...(['response', 'resolution'] as const).flatMap((clock): Array<CsvColumn<SlaCsvRow>> => [
    { header: `${clock}_met`, value: (r) => r[clock].met },
    { header: `${clock}_breached`, value: (r) => r[clock].breached },
    { header: `${clock}_running`, value: (r) => r[clock].running },
    { header: `${clock}_no_target`, value: (r) => r[clock].noTarget },
    { header: `${clock}_attainment`, value: (r) => r[clock].attainment },
  ]),
];

type ChangeCsvRow = Omit<ChangeReportRow, 'share'> & Partial<Pick<ChangeReportRow, 'share'>> & Partial<Pick<ChangeReportTotals, 'emergencyRatio' | 'unauthorizedChanges'>>;

const CHANGE_COLUMNS: Array<CsvColumn<ChangeCsvRow>> = [
  { header: 'type', value: (r) => r.type },
  { header: 'submitted', value: (r) => r.submitted },
  { header: 'share', value: (r) => r.share },
  { header: 'completed', value: (r) => r.completed },
  { header: 'rolled_back', value: (r) => r.rolledBack },
  { header: 'failed', value: (r) => r.failed },
  { header: 'rejected', value: (r) => r.rejected },
  { header: 'cancelled', value: (r) => r.cancelled },
  { header: 'open', value: (r) => r.open },
  { header: 'failed_in_production', value: (r) => r.failedInProduction },
  { header: 'success_rate', value: (r) => r.successRate },
  ...durationColumns<ChangeCsvRow>('approval_lead_time', (r) => r.approvalLeadTime),
  // Whole-period figures: written on the totals record only.
  { header: 'emergency_ratio', value: (r) => r.emergencyRatio },
  { header: 'unauthorized_changes', value: (r) => r.unauthorizedChanges },
];

export function incidentReportCsv(report: IncidentReport): string {
  return toCsv(INCIDENT_COLUMNS, [...report.rows, { ...report.totals, service: ALL, priority: ALL }]);
}

export function slaReportCsv(report: SlaReport): string {
  return toCsv(SLA_COLUMNS, [...report.rows, { ...report.totals, service: ALL, priority: ALL }]);
}

export function changeReportCsv(report: ChangeReport): string {
  return toCsv(CHANGE_COLUMNS, [...report.rows, { ...report.totals, type: ALL, share: report.totals.submitted > 0 ? 1 : null }]);
}

const REGISTER_COLUMNS: Array<CsvColumn<ChangeRegisterRow>> = [
  { header: 'id', value: (r) => r.id },
  { header: 'title', value: (r) => r.title },
  { header: 'type', value: (r) => r.type },
  { header: 'state', value: (r) => r.state },
  { header: 'risk', value: (r) => r.riskLevel },
  { header: 'requester', value: (r) => r.requester },
  { header: 'submitted_at', value: (r) => r.submittedAt },
  { header: 'completed_at', value: (r) => r.completedAt },
  { header: 'closure_code', value: (r) => r.closureCode },
];

/** One record per change; titles are the requesters' free text, so the CSV writer's formula rule matters here. */
export function changeRegisterCsv(register: ChangeRegister): string {
  return toCsv(REGISTER_COLUMNS, register.rows);
}
