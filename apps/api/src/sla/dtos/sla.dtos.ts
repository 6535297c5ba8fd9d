import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export class BusinessHoursDto {
  @ApiProperty({ enum: WEEKDAYS, description: '0 Sunday .. 6 Saturday' })
  @IsIn(WEEKDAYS)
  day: 0 | 1 | 2 | 3 | 4 | 5 | 6;

  @ApiProperty({ example: '09:00' })
  @IsString() @Matches(CLOCK, { message: 'start must be HH:MM' })
  start: string;

  @ApiProperty({ example: '17:00' })
  @IsString() @Matches(CLOCK, { message: 'end must be HH:MM or 24:00' })
  end: string;
}

export class BusinessCalendarDto {
  @ApiProperty({ type: [BusinessHoursDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => BusinessHoursDto)
  weekly: BusinessHoursDto[];

  @ApiProperty({ example: 60, description: 'Local time = UTC + this many minutes (a fixed offset, see the business calendar notes)' })
  @IsInt() @Min(-840) @Max(840)
  utcOffsetMinutes: number;
}

export class SlaDefinitionDto {
  @ApiPropertyOptional({ example: 15, nullable: true, description: 'Minutes to acknowledge; null: no response target' })
  @ValidateIf((_, v) => v !== null) @IsInt() @Min(1) @Max(525_600)
  responseMinutes: number | null;

  @ApiPropertyOptional({ example: 240, nullable: true, description: 'Minutes to resolve; null: no resolution target' })
  @ValidateIf((_, v) => v !== null) @IsInt() @Min(1) @Max(5_256_000)
  resolutionMinutes: number | null;

  @ApiProperty({ description: 'Count business hours only (on `calendar`, else Monday-Friday 09:00-17:00 UTC)' })
  @IsBoolean()
  businessHours: boolean;

  @ApiPropertyOptional({ type: BusinessCalendarDto })
  @IsOptional() @ValidateNested() @Type(() => BusinessCalendarDto)
  calendar?: BusinessCalendarDto;
}

export class EscalationLevelDto {
  @ApiProperty({ example: ['group:service-desk'], description: "Groups ('group:<name>') or people ('user:<id>')" })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsString({ each: true }) @Matches(/^(group|user):\S{1,190}$/, { each: true, message: "targets must be 'group:<name>' or 'user:<id>'" })
  targets: string[];

  @ApiProperty({ example: 10, description: 'Minutes to acknowledge before the next level is notified' })
  @IsInt() @Min(1) @Max(10_080)
  ackTimeoutMinutes: number;
}

export class EscalationPolicyDto {
  @ApiProperty({ example: 'payments-oncall', description: 'Publishing under an existing id adds a new version' })
  @IsString() @Matches(/^[a-z0-9][a-z0-9._-]{0,99}$/, { message: 'policyId must be lower-case letters, digits, dots, dashes or underscores' })
  policyId: string;

  @ApiProperty({ example: 'Payments on-call, then duty managers' })
  @IsString() @Matches(/\S/, { message: 'name must not be empty' })
  name: string;

  @ApiPropertyOptional({ example: 'svc-payments', description: 'The service (CI key) it covers; absent: the default policy' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, { message: 'service must be a CI key' })
  service?: string;

  @ApiProperty({ type: [EscalationLevelDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => EscalationLevelDto)
  levels: EscalationLevelDto[];

  @ApiProperty({ example: 2, description: 'How many more rounds after the first' })
  @IsInt() @Min(0) @Max(24)
  repeat: number;
}
