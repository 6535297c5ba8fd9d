import { MAX_OFFSET } from '../../common/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { ReviewAction } from '@steward/domain';
import { Trim } from '../../common/dto-transforms';
import { CI_KEY } from '../../change/dtos/create-change.dto';

const PERSON = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$/;
const DATE_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export const INCIDENT_STATE_FILTER = ['new', 'in_progress', 'pending', 'resolved', 'closed'] as const;

export class CreateIncidentDto {
  @ApiProperty({ example: 'Card payments refused' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  title: string;

  @ApiProperty({ example: 'Checkout returns 502 for card payments since 09:12' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(10_000)
  description: string;

  @ApiProperty({ example: 'app-payments-api', description: 'The affected service: a CI key' })
  @IsString() @Matches(CI_KEY, { message: 'service must be a CI key' })
  service: string;

  @ApiProperty({ minimum: 1, maximum: 3, description: '1 widespread .. 3 minor; the CMDB may raise it, never lower it' })
  @IsInt() @Min(1) @Max(3)
  impact: number;

  @ApiProperty({ minimum: 1, maximum: 3, description: '1 now .. 3 can wait' })
  @IsInt() @Min(1) @Max(3)
  urgency: number;

  @ApiPropertyOptional({ example: 'database', description: 'With the service, the signature recurring incidents are counted by' })
  @IsOptional() @Trim() @IsString() @Matches(/^[a-z0-9][a-z0-9._-]{0,99}$/, { message: 'category must be lower-case letters, digits, dots, dashes or underscores' })
  category?: string;

  @ApiPropertyOptional({ example: 'caller@example.com' })
  @IsOptional() @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  reportedBy?: string;

  @ApiPropertyOptional({ description: 'Accepted and recorded; never changes the priority (principle 1)' })
  @IsOptional() @IsBoolean()
  callerVip?: boolean;
}

export class AssignIncidentDto {
  @ApiPropertyOptional({ example: 'dave', description: 'The incident commander (user id); not one of the resolvers' })
  @IsOptional() @IsString() @Matches(PERSON, { message: 'commander must be a user id' })
  commander?: string;

  @ApiPropertyOptional({ example: ['erin'], type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ArrayUnique() @IsString({ each: true }) @Matches(PERSON, { each: true, message: 'resolvers must be user ids' })
  resolvers?: string[];
}

export class StakeholderUpdateDto {
  @ApiProperty({ example: 'Payments restored in EU; US still degraded. Next update 10:30.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(5_000)
  message: string;
}

export class PendIncidentDto {
  @ApiProperty({ example: 'Waiting on the card network (ticket VN-2231)' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(1_000)
  reason: string;
}

export class ResolveIncidentDto {
  @ApiProperty({ example: 'Rolled back payments-api 4.13.0' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(10_000)
  resolution: string;
}

export class ReclassifyIncidentDto {
  @ApiProperty({ minimum: 1, maximum: 3 })
  @IsInt() @Min(1) @Max(3)
  impact: number;

  @ApiProperty({ minimum: 1, maximum: 3 })
  @IsInt() @Min(1) @Max(3)
  urgency: number;

  @ApiProperty({ example: 'Only one region affected' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(1_000)
  reason: string;
}

export class HandoverDto {
  @ApiProperty({ example: 'grace', description: 'Who is to take command; they accept with /handover/accept' })
  @IsString() @Matches(PERSON, { message: 'to must be a user id' })
  to: string;
}

export class TimelineEntryDto {
  @ApiProperty({ example: '2026-11-30T09:12:00Z' })
  @IsString() @Matches(DATE_OR_INSTANT, { message: 'at must be an ISO 8601 date or instant with offset' })
  at: string;

  @ApiProperty({ example: 'Error rate alert fired' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(1_000)
  event: string;
}

export class ReviewActionDto implements ReviewAction {
  @ApiProperty({ example: 'Alert on connection pool saturation' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(500)
  title: string;

  @ApiProperty({ example: 'erin', description: 'Who owns the action (user id)' })
  @IsString() @Matches(PERSON, { message: 'owner must be a user id' })
  owner: string;

  @ApiProperty({ example: '2026-12-15' })
  @IsString() @Matches(DATE_OR_INSTANT, { message: 'dueDate must be an ISO 8601 date or instant with offset' })
  dueDate: string;
}

export class PostIncidentReviewDto {
  @ApiProperty({ type: [TimelineEntryDto] })
  @IsArray() @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => TimelineEntryDto)
  timeline: TimelineEntryDto[];

  @ApiProperty({ example: 'Card payments refused for 42 minutes in the EU' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(5_000)
  impact: string;

  @ApiProperty({ type: [String], example: ['Connection pool default lowered by the driver upgrade'] })
  @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(2_000, { each: true })
  contributingFactors: string[];

  @ApiProperty({ type: [String], example: ['Rollback took 4 minutes'] })
  @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(2_000, { each: true })
  whatWentWell: string[];

  @ApiProperty({ type: [ReviewActionDto] })
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => ReviewActionDto)
  actions: ReviewActionDto[];

  @ApiPropertyOptional({ example: 'Pool size default changed in the driver upgrade; no saturation alert' })
  @IsOptional() @Trim() @IsString() @IsNotEmpty() @MaxLength(5_000)
  rootCause?: string;
}

export class ListIncidentsQuery {
  @ApiPropertyOptional({ enum: INCIDENT_STATE_FILTER })
  @IsOptional() @IsIn(INCIDENT_STATE_FILTER)
  state?: (typeof INCIDENT_STATE_FILTER)[number];

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional() @IsIn(PRIORITIES)
  priority?: (typeof PRIORITIES)[number];

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Matches(CI_KEY, { message: 'service must be a CI key' })
  service?: string;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_OFFSET)
  offset: number = 0;
}
