/*
 * Report rules: how SLA clocks are counted from incident events, the statistics published,
 * report periods and CSV. Pure; the API computes the figures in SQL to this definition.
 */
export type { CsvColumn, CsvValue } from './csv';
export { csvField, neutraliseFormula, parseCsv, toCsv } from './csv';
export { formatDuration, mean, percentileCont, ratio } from './statistics';
export type { ReportPeriod } from './period';
export { REPORT_DEFAULT_DAYS, reportPeriod } from './period';
export type { ClockOutcome, IncidentFact, IncidentFigures } from './incident-figures';
export { CLOCK_OUTCOMES, incidentFigures } from './incident-figures';
