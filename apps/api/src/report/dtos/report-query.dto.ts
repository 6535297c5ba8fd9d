import { ApiPropertyOptional } from '@nestjs/swagger';
import { PRIORITIES, type Priority } from '@steward/domain';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, type ValidationArguments } from 'class-validator';
import { parseInstant } from '../../calendar/dtos/calendar.dtos';
import { CI_KEY } from '../../change/dtos/create-change.dto';
import { Trim } from '../../common/dto-transforms';

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

function IsInstant(): PropertyDecorator {
  return ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (value: unknown) => !Number.isNaN(parseInstant(value)),
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be an ISO 8601 timestamp with an offset, such as 2026-03-01T00:00:00Z`,
    },
  });
}

/** Later than `from` when both are instants; otherwise their own rules speak. */
function IsAfterFrom(): PropertyDecorator {
  return ValidateBy({
    name: 'isAfterFrom',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const [to, from] = [parseInstant(value), parseInstant((args?.object as { from?: unknown }).from)];
        return Number.isNaN(to) || Number.isNaN(from) || to > from;
      },
      defaultMessage: () => 'to must be after from',
    },
  });
}

/** The period [from, to) and the format every report takes. */
export class ReportPeriodQuery {
  @ApiPropertyOptional({ description: 'Start of the period (inclusive); default: 30 days before `to`', example: '2026-03-01T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'End of the period (exclusive); default: now', example: '2026-04-01T00:00:00Z' })
  @IsOptional()
  @IsInstant()
  @IsAfterFrom()
  to?: string;

  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json', description: 'csv: RFC 4180, a header and one record per group, the totals last' })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `format must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: ReportFormat;
}

/** Incident reports: the period applies to when each incident opened. */
export class IncidentReportQuery extends ReportPeriodQuery {
  @ApiPropertyOptional({ description: 'Only incidents on this service (CI key), as opened', example: 'svc-payments' })
  @IsOptional()
  @Trim()
  @IsString()
  @Matches(CI_KEY, { message: 'service must be a CI key' })
  service?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, description: 'Only incidents whose final priority is this one' })
  @IsOptional()
  @IsIn(PRIORITIES, { message: `priority must be one of ${PRIORITIES.join(', ')}` })
  priority?: Priority;
}

/** The change report: the period applies to when each change was submitted. */
export class ChangeReportQuery extends ReportPeriodQuery {}

/** The change register: the period applies to when each change was submitted. */
export class ChangeRegisterQuery extends ReportPeriodQuery {
  @ApiPropertyOptional({ default: 5000, maximum: 50000, description: 'At most this many changes, oldest first' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(50000)
  limit?: number;
}
