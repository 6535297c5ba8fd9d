import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_WINDOW_MINUTES, validateWindowRule, type WindowRuleInput } from '@steward/domain/calendar';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { CI_KEY, ISO_WITH_OFFSET } from '../../change/dtos/create-change.dto';
import { TAG } from '../../cmdb/dtos/ci.dtos';
import { Trim } from '../../common/dto-transforms';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/**
 * The instant an ISO 8601 text with an offset names, or NaN. The pattern alone lets
 * `2026-02-30` through, which Date.parse quietly rolls over into March.
 */
export function parseInstant(value: unknown): number {
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) return NaN;
  const [year, month, day, hour, minute, second] = (/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value) as RegExpExecArray).slice(1).map((n) => Number(n ?? 0));
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const exists = wall.getUTCFullYear() === year && wall.getUTCMonth() === month - 1 && wall.getUTCDate() === day && wall.getUTCHours() === hour && wall.getUTCMinutes() === minute && wall.getUTCSeconds() === second;
  return exists ? Date.parse(value) : NaN;
}

/** An ISO 8601 timestamp with an offset that names a real instant. */
function IsInstant(): PropertyDecorator {
  return ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (value: unknown) => !Number.isNaN(parseInstant(value)),
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be an ISO 8601 timestamp with an offset, such as 2026-12-05T22:00:00+01:00`,
    },
  });
}

/** Later than the instant in another field; silent while either is not an instant (their own rules say so). */
function IsAfter(other: string): PropertyDecorator {
  return ValidateBy({
    name: 'isAfter',
    constraints: [other],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const [end, start] = [parseInstant(value), parseInstant((args?.object as Record<string, unknown>)[other])];
        return Number.isNaN(end) || Number.isNaN(start) || end > start;
      },
      defaultMessage: (args?: ValidationArguments) => `${args?.property} must be after ${other}`,
    },
  });
}

// validateWindowRule looks at rrule, durationMinutes and timezone together; it runs once per body.
const ruleProblems = new WeakMap<object, string[]>();
function windowRuleProblems(dto: object, field: keyof WindowRuleInput): string[] {
  let problems = ruleProblems.get(dto);
  if (!problems) {
    problems = validateWindowRule(dto as WindowRuleInput);
    ruleProblems.set(dto, problems);
  }
  return problems.filter((p) => p.startsWith(`${field}: `)).map((p) => p.slice(field.length + 2));
}

/** The field's part of validateWindowRule's verdict, so that one 400 names every field. */
function IsWindowRulePart(field: keyof WindowRuleInput): PropertyDecorator {
  return ValidateBy({
    name: 'isWindowRulePart',
    validator: {
      validate: (_: unknown, args?: ValidationArguments) => windowRuleProblems(args?.object as object, field).length === 0,
      defaultMessage: (args?: ValidationArguments) => windowRuleProblems(args?.object as object, field).join('; '),
    },
  });
}

export class CalendarScopeDto {
  @ApiPropertyOptional({ type: [String], example: ['svc-intranet'], description: 'CI keys the window or freeze covers' })
  @IsOptional() @IsArray() @ArrayMaxSize(500) @ArrayUnique()
  @IsString({ each: true }) @Matches(CI_KEY, { each: true, message: 'each of cis must be a CI key' })
  cis?: string[];

  @ApiPropertyOptional({ type: [String], example: ['pci'], description: 'Every CI carrying one of these tags is covered' })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ArrayUnique()
  @IsString({ each: true }) @Matches(TAG, { each: true, message: 'each of tags must be letters, digits, . _ : - (at most 64)' })
  tags?: string[];
}

export class CreateMaintenanceWindowDto {
  @ApiProperty({ example: 'Payments Saturday night' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiProperty({
    example: 'DTSTART;TZID=Europe/Paris:20261205T220000\nRRULE:FREQ=WEEKLY;BYDAY=SA',
    description: 'RFC 5545: a DTSTART in local wall-clock time of `timezone` (its TZID may be left out) and one RRULE, at most hourly',
  })
  @MaxLength(2000) @IsWindowRulePart('rrule')
  rrule: string;

  @ApiProperty({ example: 240, minimum: 1, maximum: MAX_WINDOW_MINUTES })
  @IsWindowRulePart('durationMinutes')
  durationMinutes: number;

  @ApiProperty({ example: 'Europe/Paris', description: 'IANA time zone of the DTSTART wall-clock time' })
  @IsWindowRulePart('timezone')
  timezone: string;

  @ApiProperty({ type: CalendarScopeDto, description: 'CIs and tags covered; an empty scope covers every CI (admin or change manager only)' })
  @IsObject() @ValidateNested() @Type(() => CalendarScopeDto)
  scope: CalendarScopeDto;
}

export class CreateFreezeDto {
  @ApiProperty({ example: 'Year-end freeze' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiProperty({ example: '2026-12-19T00:00:00+01:00' })
  @IsInstant()
  start: string;

  @ApiProperty({ example: '2027-01-04T00:00:00+01:00', description: 'After start' })
  @IsInstant() @IsAfter('start')
  end: string;

  @ApiProperty({ example: 'Quarter close: ledgers must not move' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(2000)
  reason: string;

  @ApiPropertyOptional({ type: CalendarScopeDto, description: 'Left out or empty: every CI (admin or change manager only)' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => CalendarScopeDto)
  scope?: CalendarScopeDto;

  @ApiPropertyOptional({ default: false, description: 'Let emergency changes through' })
  @IsOptional() @IsBoolean()
  allowEmergency?: boolean;
}

export class CalendarRangeQuery {
  @ApiPropertyOptional({ example: '2026-12-01T00:00:00+01:00', description: 'ISO 8601 with offset' })
  @IsOptional() @IsInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2027-01-01T00:00:00+01:00', description: 'ISO 8601 with offset, after from; at most 400 days after it' })
  @IsOptional() @IsInstant()
  to?: string;
}

export class NextIntervalQueryDto {
  @ApiProperty({ type: String, example: 'app-payments-api,db-payments', description: 'Comma-separated CI keys; the change needs all of them open at once' })
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]).flatMap((v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [v])))
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ArrayUnique()
  @IsString({ each: true }) @Matches(CI_KEY, { each: true, message: 'each of cis must be a CI key' })
  cis: string[];

  @ApiProperty({ example: 60, minimum: 1, maximum: MAX_WINDOW_MINUTES, description: 'Uninterrupted time the change needs' })
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX_WINDOW_MINUTES)
  durationMinutes: number;

  @ApiPropertyOptional({ description: 'Nothing earlier is offered; default now' })
  @IsOptional() @IsInstant()
  after?: string;

  @ApiPropertyOptional({ default: false, description: 'Emergency: windows do not apply, freezes that allow emergencies let it through' })
  @IsOptional() @Transform(toBoolean) @IsBoolean()
  emergency?: boolean;

  @ApiPropertyOptional({ description: 'The requester\'s own bounds, with requestedEnd' })
  @IsOptional() @IsInstant()
  requestedStart?: string;

  @ApiPropertyOptional({ description: 'The requester\'s own bounds, with requestedStart' })
  @IsOptional() @IsInstant() @IsAfter('requestedStart')
  requestedEnd?: string;
}
