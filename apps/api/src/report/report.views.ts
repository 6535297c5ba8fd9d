import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PRIORITIES } from '@steward/domain';

export class ReportPeriodView {
  @ApiProperty({ example: '2026-03-01T00:00:00.000Z', description: 'Inclusive' }) from: string;
  @ApiProperty({ example: '2026-04-01T00:00:00.000Z', description: 'Exclusive' }) to: string;
}

/** Mean and 90th percentile (continuous) of a duration, in milliseconds and as h:mm:ss. */
export class DurationFigures {
  @ApiProperty({ description: 'How many incidents or changes the figure is measured over' }) samples: number;
  @ApiProperty({ type: Number, nullable: true, example: 754000 }) meanMs: number | null;
  @ApiProperty({ type: String, nullable: true, example: '0:12:34' }) mean: string | null;
  @ApiProperty({ type: Number, nullable: true }) p90Ms: number | null;
  @ApiProperty({ type: String, nullable: true }) p90: string | null;
}

export class IncidentFiguresView {
  @ApiProperty() opened: number;
  @ApiProperty() acknowledged: number;
  @ApiProperty() resolved: number;
  @ApiProperty() closed: number;
  @ApiProperty({ description: 'Opened as P1/P2 or re-classified into P1/P2' }) major: number;
  @ApiProperty({ type: DurationFigures, description: 'Mean time to acknowledge: first acknowledged event minus opened' }) mtta: DurationFigures;
  @ApiProperty({ type: DurationFigures, description: 'Mean time to resolve: resolved event minus opened' }) mttr: DurationFigures;
  @ApiProperty({ description: 'stakeholder_update_missed events' }) missedStakeholderUpdates: number;
  @ApiProperty({ description: 'escalated events' }) escalations: number;
  @ApiProperty({ description: 'SLA clocks breached under the final priority (response + resolution)' }) breaches: number;
  @ApiProperty() responseBreaches: number;
  @ApiProperty() resolutionBreaches: number;
}

export class IncidentReportRow extends IncidentFiguresView {
  @ApiProperty({ example: 'svc-payments' }) service: string;
  @ApiProperty({ enum: PRIORITIES, description: 'Final priority: the last re-classification, else as opened' }) priority: string;
}

export class IncidentReportFilters {
  @ApiPropertyOptional() service?: string;
  @ApiPropertyOptional({ enum: PRIORITIES }) priority?: string;
}

export class IncidentReport {
  @ApiProperty({ type: ReportPeriodView }) period: ReportPeriodView;
  @ApiProperty({ type: IncidentReportFilters }) filters: IncidentReportFilters;
  @ApiProperty({ type: [IncidentReportRow] }) rows: IncidentReportRow[];
  @ApiProperty({ type: IncidentFiguresView }) totals: IncidentFiguresView;
}

export class SlaClockFigures {
  @ApiProperty() met: number;
  @ApiProperty() breached: number;
  @ApiProperty({ description: 'Neither stopped nor breached yet: not in attainment' }) running: number;
  @ApiProperty({ description: 'The priority has no such target (P5)' }) noTarget: number;
  @ApiProperty({ type: Number, nullable: true, description: 'met / (met + breached), 4 decimals; null when both are 0', example: 0.9375 }) attainment: number | null;
}

export class SlaFiguresView {
  @ApiProperty() incidents: number;
  @ApiProperty({ type: SlaClockFigures }) response: SlaClockFigures;
  @ApiProperty({ type: SlaClockFigures }) resolution: SlaClockFigures;
}

export class SlaReportRow extends SlaFiguresView {
  @ApiProperty({ example: 'svc-payments' }) service: string;
  @ApiProperty({ enum: PRIORITIES }) priority: string;
}

export class SlaReport {
  @ApiProperty({ type: ReportPeriodView }) period: ReportPeriodView;
  @ApiProperty({ type: IncidentReportFilters }) filters: IncidentReportFilters;
  @ApiProperty({ type: [SlaReportRow] }) rows: SlaReportRow[];
  @ApiProperty({ type: SlaFiguresView, description: 'The overall row' }) totals: SlaFiguresView;
}

export class ChangeFiguresView {
  @ApiProperty() submitted: number;
  @ApiProperty() completed: number;
  @ApiProperty() rolledBack: number;
  @ApiProperty() failed: number;
  @ApiProperty() rejected: number;
  @ApiProperty() cancelled: number;
  @ApiProperty({ description: 'Not ended yet' }) open: number;
  @ApiProperty({ description: 'Rolled back or failed with a production CI among its CIs' }) failedInProduction: number;
  @ApiProperty({ type: Number, nullable: true, description: 'completed / (completed + rolledBack + failed); null when none ended so' }) successRate: number | null;
  @ApiProperty({ type: DurationFigures, description: 'Approval lead time: submitted to the first transition to scheduled' }) approvalLeadTime: DurationFigures;
}

export class ChangeReportRow extends ChangeFiguresView {
  @ApiProperty({ enum: ['standard', 'normal', 'emergency'] }) type: string;
  @ApiProperty({ type: Number, nullable: true, description: 'This type\'s share of all submitted changes' }) share: number | null;
}

export class ChangeReportTotals extends ChangeFiguresView {
  @ApiProperty({ type: Number, nullable: true, description: 'Emergency changes / all changes submitted' }) emergencyRatio: number | null;
  @ApiProperty({ description: 'Unauthorized changes found by discovery runs in the period' }) unauthorizedChanges: number;
}

export class ChangeReport {
  @ApiProperty({ type: ReportPeriodView }) period: ReportPeriodView;
  @ApiProperty({ type: [ChangeReportRow] }) rows: ChangeReportRow[];
  @ApiProperty({ type: ChangeReportTotals }) totals: ChangeReportTotals;
}

export class ChangeRegisterRow {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
  @ApiProperty() type: string;
  @ApiProperty() state: string;
  @ApiProperty({ nullable: true, type: String }) riskLevel: string | null;
  @ApiProperty() requester: string;
  @ApiProperty() submittedAt: string;
  @ApiProperty({ nullable: true, type: String }) completedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) closureCode: string | null;
}

export class ChangeRegister {
  @ApiProperty({ type: ReportPeriodView }) period: ReportPeriodView;
  @ApiProperty({ type: [ChangeRegisterRow] }) rows: ChangeRegisterRow[];
  @ApiProperty({ description: 'True when more changes were submitted in the period than the limit' }) truncated: boolean;
}
