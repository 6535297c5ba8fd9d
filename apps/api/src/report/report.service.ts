import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { formatDuration, ratio, reportPeriod, type ReportPeriod } from '@steward/domain';
import { DataSource } from 'typeorm';
import { parseInstant } from '../calendar/dtos/calendar.dtos';
import { invalidFields } from '../common/validation';
import type { ChangeRegisterQuery, ChangeReportQuery, IncidentReportQuery, ReportPeriodQuery } from './dtos/report-query.dto';
import { CHANGE_REGISTER_SQL, CHANGE_REPORT_SQL, INCIDENT_REPORT_SQL, SLA_REPORT_SQL } from './report.sql';
import type {
  ChangeRegister,
  ChangeFiguresView,
  ChangeReport,
  ChangeReportRow,
  DurationFigures,
  IncidentFiguresView,
  IncidentReport,
  IncidentReportFilters,
  IncidentReportRow,
  SlaClockFigures,
  SlaFiguresView,
  SlaReport,
  SlaReportRow,
} from './report.views';

type Grouped<T> = T & { total: boolean };

const REPORT_WORK_MEM = '64MB';

interface IncidentRecord {
  service: string | null;
  priority: string | null;
  opened: number;
  acknowledged: number;
  resolved: number;
  closed: number;
  major: number;
  missed_updates: number;
  escalations: number;
  response_breaches: number;
  resolution_breaches: number;
  mtta_samples: number;
  mtta_mean: number | null;
  mtta_p90: number | null;
  mttr_samples: number;
  mttr_mean: number | null;
  mttr_p90: number | null;
}

type SlaRecord = { service: string | null; priority: string | null; incidents: number } & {
  [clock in `${'response' | 'resolution'}_${'met' | 'breached' | 'running' | 'no_target'}`]: number;
};

interface ChangeRecord {
  type: string | null;
  submitted: number;
  completed: number;
  rolled_back: number;
  failed: number;
  rejected: number;
  cancelled: number;
  open: number;
  failed_in_production: number;
  lead_samples: number;
  lead_mean: number | null;
  lead_p90: number | null;
  unauthorized: number;
}

/** Whole milliseconds: sub-millisecond means are noise in a report. */
const wholeMs = (value: number | null): number | null => (value === null ? null : Math.round(Number(value)));

function duration(samples: number, meanMs: number | null, p90Ms: number | null): DurationFigures {
  const [mean, p90] = [wholeMs(meanMs), wholeMs(p90Ms)];
  return { samples, meanMs: mean, mean: formatDuration(mean), p90Ms: p90, p90: formatDuration(p90) };
}

/**
 * SLA attainment, MTTA/MTTR and change figures, computed by PostgreSQL from append-only events
 * (principle 4): each report is one grouped query, whatever the number of incidents.
 */
@Injectable()
export class ReportService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async incidents(query: IncidentReportQuery, now = new Date()): Promise<IncidentReport> {
    const period = this.period(query, now);
    const records = await this.run<IncidentRecord>(INCIDENT_REPORT_SQL, [period.from, period.to, query.service ?? null, query.priority ?? null]);
    const figures = (r: IncidentRecord): IncidentFiguresView => ({
      opened: r.opened,
      acknowledged: r.acknowledged,
      resolved: r.resolved,
      closed: r.closed,
      major: r.major,
      mtta: duration(r.mtta_samples, r.mtta_mean, r.mtta_p90),
      mttr: duration(r.mttr_samples, r.mttr_mean, r.mttr_p90),
      missedStakeholderUpdates: r.missed_updates,
      escalations: r.escalations,
      breaches: r.response_breaches + r.resolution_breaches,
      responseBreaches: r.response_breaches,
      resolutionBreaches: r.resolution_breaches,
    });
    const { rows, totals } = split(records);
    return {
      period: periodView(period),
      filters: filters(query),
      rows: rows.map((r): IncidentReportRow => ({ service: r.service as string, priority: r.priority as string, ...figures(r) })),
      totals: figures(totals),
    };
  }

  async sla(query: IncidentReportQuery, now = new Date()): Promise<SlaReport> {
    const period = this.period(query, now);
    const records = await this.run<SlaRecord>(SLA_REPORT_SQL, [period.from, period.to, query.service ?? null, query.priority ?? null]);
    const clock = (r: SlaRecord, kind: 'response' | 'resolution'): SlaClockFigures => ({
      met: r[`${kind}_met`],
      breached: r[`${kind}_breached`],
      running: r[`${kind}_running`],
      noTarget: r[`${kind}_no_target`],
      attainment: ratio(r[`${kind}_met`], r[`${kind}_met`] + r[`${kind}_breached`]),
    });
    const figures = (r: SlaRecord): SlaFiguresView => ({ incidents: r.incidents, response: clock(r, 'response'), resolution: clock(r, 'resolution') });
    const { rows, totals } = split(records);
    return {
      period: periodView(period),
      filters: filters(query),
      rows: rows.map((r): SlaReportRow => ({ service: r.service as string, priority: r.priority as string, ...figures(r) })),
      totals: figures(totals),
    };
  }

  async changes(query: ChangeReportQuery, now = new Date()): Promise<ChangeReport> {
    const period = this.period(query, now);
    const records = await this.run<ChangeRecord>(CHANGE_REPORT_SQL, [period.from, period.to]);
    const figures = (r: ChangeRecord): ChangeFiguresView => ({
      submitted: r.submitted,
      completed: r.completed,
      rolledBack: r.rolled_back,
      failed: r.failed,
      rejected: r.rejected,
      cancelled: r.cancelled,
      open: r.open,
      failedInProduction: r.failed_in_production,
      successRate: ratio(r.completed, r.completed + r.rolled_back + r.failed),
      approvalLeadTime: duration(r.lead_samples, r.lead_mean, r.lead_p90),
    });
    const { rows, totals } = split(records);
    const emergency = rows.find((r) => r.type === 'emergency')?.submitted ?? 0;
    return {
      period: periodView(period),
      rows: rows.map((r): ChangeReportRow => ({ type: r.type as string, share: ratio(r.submitted, totals.submitted), ...figures(r) })),
      totals: { ...figures(totals), emergencyRatio: ratio(emergency, totals.submitted), unauthorizedChanges: totals.unauthorized },
    };
  }

  async changeRegister(query: ChangeRegisterQuery, now = new Date()): Promise<ChangeRegister> {
    const period = this.period(query, now);
    const limit = query.limit ?? 5000;
    const rows = (await this.run<Record<string, unknown>>(CHANGE_REGISTER_SQL, [period.from, period.to, limit + 1])) as unknown as Array<Record<string, string | Date | null>>;
    const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());
    return {
      period: periodView(period),
      truncated: rows.length > limit,
      rows: rows.slice(0, limit).map((r) => ({
        id: r.id as string,
        title: r.title as string,
        type: r.type as string,
        state: r.state as string,
        riskLevel: (r.risk_level as string | null) ?? null,
        requester: r.requester_id as string,
        submittedAt: iso(r.submitted_at)!,
        completedAt: iso(r.completed_at),
        closureCode: (r.closure_code as string | null) ?? null,
      })),
    };
  }

  private period(query: ReportPeriodQuery, now: Date): ReportPeriod {
    const given = { from: query.from === undefined ? undefined : parseInstant(query.from), to: query.to === undefined ? undefined : parseInstant(query.to) };
    const period = reportPeriod(given, now.getTime());
    if ('field' in period) throw invalidFields([{ field: period.field, message: period.message }]);
    return period;
  }

  /**
   * A read-only transaction: a report can change nothing. The grouping of a period's events
   * (a million rows at 100k incidents) sorts in memory with more than the default work_mem.
   */
  private run<T>(sql: string, parameters: unknown[]): Promise<Array<Grouped<T>>> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SET TRANSACTION READ ONLY`);
      await tx.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
      return (await tx.query(sql, parameters)) as Array<Grouped<T>>;
    });
  }
}

/** The grouped rows, and the grand total GROUPING SETS adds last (present even over no rows). */
function split<T>(records: Array<Grouped<T>>): { rows: T[]; totals: T } {
  const totals = records.find((r) => r.total);
  if (!totals) throw new Error('report query returned no totals row');
  return { rows: records.filter((r) => !r.total), totals };
}

function periodView(period: ReportPeriod): { from: string; to: string } {
  return { from: period.from.toISOString(), to: period.to.toISOString() };
}

function filters(query: IncidentReportQuery): IncidentReportFilters {
  return { ...(query.service ? { service: query.service } : {}), ...(query.priority ? { priority: query.priority } : {}) };
}
