import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, ValidateBy, ValidateNested, isISO8601, type ValidationOptions } from 'class-validator';

/** Label and annotation sets are string-to-string maps in Alertmanager; anything else is not its payload. */
function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string' && v.length <= 10_000),
        defaultMessage: (args) => `${args?.property} must be an object of string values`,
      },
    },
    options,
  );
}

/**
 * An ISO 8601 instant that names a real time. Not class-validator's strict mode: it refuses
 * Alertmanager's zero time `0001-01-01T00:00:00Z`, which stands for "no end yet".
 */
function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isISO8601(value) && !Number.isNaN(Date.parse(value)),
        defaultMessage: (args) => `${args?.property} must be an ISO 8601 timestamp`,
      },
    },
    options,
  );
}

const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class AlertmanagerAlertDto {
  @ApiProperty({ enum: ALERT_STATUSES })
  @IsIn(ALERT_STATUSES)
  status: AlertStatus;

  @ApiProperty({ ...STRING_MAP, example: { alertname: 'HighErrorRate', ci: 'svc-payments', severity: 'critical' } })
  @IsStringMap()
  labels: Record<string, string>;

  @ApiPropertyOptional({ ...STRING_MAP, example: { summary: 'Payments error rate above 5%', description: '7.2% of requests fail' } })
  @IsOptional() @IsStringMap()
  annotations?: Record<string, string>;

  @ApiProperty({ example: '2026-11-20T10:00:00.000Z' })
  @IsInstant()
  startsAt: string;

  @ApiPropertyOptional({ example: '0001-01-01T00:00:00Z', description: 'Alertmanager sends the zero time while an alert fires' })
  @IsOptional() @IsInstant()
  endsAt?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(2_000)
  generatorURL?: string;

  @ApiProperty({ example: '4b5c8e6f1a2d3c7e', description: "Alertmanager's identity of the alert (its label set): repeats update the same incident" })
  @IsString() @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'fingerprint must be 1 to 64 letters, digits or . _ : -' })
  fingerprint: string;
}

/**
 * Alertmanager's webhook payload, version 4. Fields it may add in later versions are ignored
 * rather than refused (see AlertmanagerPayloadPipe).
 */
export class AlertmanagerPayloadDto {
  @ApiProperty({ example: '4' })
  @IsIn(['4'], { message: 'version must be "4" (the Alertmanager webhook payload version)' })
  version: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(2_000)
  groupKey?: string;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional() @IsInt() @Min(0)
  truncatedAlerts?: number;

  @ApiProperty({ enum: ALERT_STATUSES })
  @IsIn(ALERT_STATUSES)
  status: AlertStatus;

  @ApiProperty({ example: 'steward' })
  @IsString() @MaxLength(200)
  receiver: string;

  @ApiPropertyOptional(STRING_MAP)
  @IsOptional() @IsStringMap()
  groupLabels?: Record<string, string>;

  @ApiPropertyOptional(STRING_MAP)
  @IsOptional() @IsStringMap()
  commonLabels?: Record<string, string>;

  @ApiPropertyOptional(STRING_MAP)
  @IsOptional() @IsStringMap()
  commonAnnotations?: Record<string, string>;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(2_000)
  externalURL?: string;

  @ApiProperty({ type: [AlertmanagerAlertDto] })
  @IsArray() @ArrayMaxSize(1_000) @ValidateNested({ each: true }) @Type(() => AlertmanagerAlertDto)
  alerts: AlertmanagerAlertDto[];
}

export class AlertIncidentOutcome {
  @ApiProperty({ nullable: true, type: String, example: 'INC-000045', description: 'null when no incident was opened or found' })
  id: string | null;

  @ApiProperty({ description: 'true only when this alert opened the incident' })
  created: boolean;

  @ApiPropertyOptional({ description: 'Why this alert opened no incident (no CI label, a CI the CMDB does not know, an incident that has ended)' })
  error?: string;
}

export class AlertIntakeResponse {
  @ApiProperty({ type: [AlertIncidentOutcome], description: 'One entry per alert, in the order of the payload' })
  incidents: AlertIncidentOutcome[];
}
