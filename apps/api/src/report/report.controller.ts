import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@steward/identity';
import type { Response } from 'express';
import { ChangeRegisterQuery, ChangeReportQuery, IncidentReportQuery } from './dtos/report-query.dto';
import { changeRegisterCsv, changeReportCsv, incidentReportCsv, slaReportCsv } from './report.csv';
import { ReportService } from './report.service';
import { ChangeRegister, ChangeReport, IncidentReport, SlaReport } from './report.views';

const CSV_NOTE = 'JSON by default; `?format=csv` answers text/csv (RFC 4180) as an attachment, the totals as the last record with `(all)` as its group.';

/**
 * Reports computed from events only. Everyone who runs or answers for a service may read them;
 * requesters, resolvers, CAB members and release engineers work on single records instead.
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/reports')
@Roles('auditor', 'change_manager', 'service_owner', 'problem_manager', 'incident_commander', 'service_desk', 'admin')
export class ReportController {
  constructor(private readonly reports: ReportService) {}

  @Get('incidents')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: `Incidents opened in [from, to) by service and final priority: counts, MTTA, MTTR (mean, p90), major, missed updates, escalations, breaches. ${CSV_NOTE}` })
  @ApiResponse({ status: 200, type: IncidentReport })
  async incidents(@Query() query: IncidentReportQuery, @Res({ passthrough: true }) res: Response): Promise<IncidentReport | string> {
    const report = await this.reports.incidents(query);
    return query.format === 'csv' ? csv(res, 'incidents', report.period, incidentReportCsv(report)) : report;
  }

  @Get('sla')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: `SLA attainment of incidents opened in [from, to), response and resolution, by service and final priority, with an overall row. ${CSV_NOTE}` })
  @ApiResponse({ status: 200, type: SlaReport })
  async sla(@Query() query: IncidentReportQuery, @Res({ passthrough: true }) res: Response): Promise<SlaReport | string> {
    const report = await this.reports.sla(query);
    return query.format === 'csv' ? csv(res, 'sla', report.period, slaReportCsv(report)) : report;
  }

  @Get('changes')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: `Changes submitted in [from, to) by type: outcomes, success rate, approval lead time; emergency ratio and unauthorized changes overall. ${CSV_NOTE}` })
  @ApiResponse({ status: 200, type: ChangeReport })
  async changes(@Query() query: ChangeReportQuery, @Res({ passthrough: true }) res: Response): Promise<ChangeReport | string> {
    const report = await this.reports.changes(query);
    return query.format === 'csv' ? csv(res, 'changes', report.period, changeReportCsv(report)) : report;
  }

  @Get('change-register')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary:
      'Every change submitted in [from, to), oldest first: id, title, type, state, risk, requester, submitted, completed, closure code. ' +
      'JSON by default; `?format=csv` answers text/csv (RFC 4180) as an attachment. Text cells that a spreadsheet would run as a formula (= + - @ tab CR first) start with a quote.',
  })
  @ApiResponse({ status: 200, type: ChangeRegister })
  async changeRegister(@Query() query: ChangeRegisterQuery, @Res({ passthrough: true }) res: Response): Promise<ChangeRegister | string> {
    const register = await this.reports.changeRegister(query);
    return query.format === 'csv' ? csv(res, 'change-register', register.period, changeRegisterCsv(register)) : register;
  }
}

/** Headers set only once the report exists: a refusal keeps the JSON error body's own type. */
function csv(res: Response, name: string, period: { from: string; to: string }, body: string): string {
  const stamp = (iso: string) => iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="steward-${name}-report-${stamp(period.from)}-${stamp(period.to)}.csv"` });
  return body;
}
