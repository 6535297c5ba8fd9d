import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANGE_TYPES, STEP_KINDS, type ChangeType, type StepAction, type StepKind } from '@steward/contracts';
import { CI_STATUSES, type CiStatus } from '@steward/domain';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsDefined,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Trim } from '../../common/dto-transforms';

export const CI_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** ISO 8601 with an explicit offset: a time without a zone is ambiguous for a change window. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export class PlanStepDto {
  @ApiProperty({ example: 'deploy', description: 'Unique within the plan' })
  @IsString() @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'id must be 1 to 64 letters, digits, dots, dashes or underscores' })
  id: string;

  @ApiProperty({ example: 'Deploy payments-api 4.13.0' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiProperty({ enum: STEP_KINDS })
  @IsIn(STEP_KINDS)
  kind: StepKind;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { executor: 'simulated', outcome: 'succeed', durationMs: 500 },
    description: 'Automated: an executor call ({ executor: "http", url, method, headers?, body? } or { executor: "simulated", outcome, durationMs? }). Manual: { instructions }.',
  })
  @IsObject()
  action: StepAction;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { executor: 'simulated', outcome: 'succeed' } })
  @IsObject()
  rollback: StepAction;

  @ApiProperty({ example: 15, minimum: 1, maximum: 1440 })
  @IsInt() @Min(1) @Max(1440)
  estimatedMinutes: number;

  @ApiPropertyOptional({ description: 'A check run in the verifying phase, after all other steps succeeded' })
  @IsOptional() @IsBoolean()
  verification?: boolean;
}

export class CiUpdateDto {
  @ApiProperty({ example: 'app-payments-api', description: 'One of the change\'s cis' })
  @IsString() @Matches(CI_KEY, { message: 'ci must be a CI key' })
  ci: string;

  @ApiPropertyOptional({ example: '4.13.0' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100)
  version?: string;

  @ApiPropertyOptional({ enum: CI_STATUSES })
  @IsOptional() @IsIn(CI_STATUSES)
  status?: CiStatus;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional() @IsObject()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({ example: '3f786850e387550fdab836ed7e6dc881de23001b', description: 'Artifact (commit or image digest) a pipeline may deploy' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9:._-]{7,128}$/, { message: 'artifactSha must be a commit sha or digest' })
  artifactSha?: string;
}

export class ImplementationPlanDto {
  @ApiProperty({ type: [PlanStepDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100)
  @ValidateNested({ each: true }) @Type(() => PlanStepDto)
  steps: PlanStepDto[];

  @ApiPropertyOptional({ type: [CiUpdateDto], description: 'What the CMDB records once the change completes' })
  @IsOptional() @IsArray() @ArrayMaxSize(50)
  @ValidateNested({ each: true }) @Type(() => CiUpdateDto)
  ciUpdates?: CiUpdateDto[];
}

export class TimeWindowDto {
  @ApiProperty({ example: '2026-12-05T22:00:00+01:00' })
  @IsString() @Matches(ISO_WITH_OFFSET, { message: 'start must be an ISO 8601 timestamp with an offset' })
  start: string;

  @ApiProperty({ example: '2026-12-06T02:00:00+01:00' })
  @IsString() @Matches(ISO_WITH_OFFSET, { message: 'end must be an ISO 8601 timestamp with an offset' })
  end: string;
}

export class CreateChangeDto {
  @ApiProperty({ example: 'Upgrade payments-api to 4.13.0' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  title: string;

  @ApiProperty()
  @Trim() @IsString() @IsNotEmpty() @MaxLength(20000)
  description: string;

  @ApiProperty({ enum: CHANGE_TYPES })
  @IsIn(CHANGE_TYPES)
  type: ChangeType;

  @ApiPropertyOptional({ description: 'Pre-approved template of a standard change' })
  @IsOptional() @IsString() @MaxLength(100)
  templateId?: string;

  @ApiProperty({ type: [String], example: ['app-payments-api'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ArrayUnique()
  @IsString({ each: true }) @Matches(CI_KEY, { each: true, message: 'each of cis must be a CI key' })
  cis: string[];

  @ApiProperty()
  @Trim() @IsString() @IsNotEmpty() @MaxLength(20000)
  justification: string;

  @ApiProperty({ type: ImplementationPlanDto })
  @IsObject() @ValidateNested() @Type(() => ImplementationPlanDto)
  plan: ImplementationPlanDto;

  @ApiProperty()
  @Trim() @IsString() @IsNotEmpty() @MaxLength(20000)
  backoutPlan: string;

  @ApiPropertyOptional()
  @IsOptional() @Trim() @IsString() @MaxLength(20000)
  testEvidence?: string;

  @ApiPropertyOptional({ type: TimeWindowDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TimeWindowDto)
  requestedWindow?: TimeWindowDto;
}

export class CancelChangeDto {
  @ApiProperty({ example: 'superseded by CHG-000124' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(2000)
  reason: string;
}

export class SettleChangeDto {
  @ApiProperty({ enum: ['failed'], description: 'What the change becomes; only failed: settling never runs or rolls back anything' })
  @IsIn(['failed'])
  outcome: 'failed';

  @ApiProperty({ example: 'workflow reset by an operator after the deploy ran; verified by hand that 4.13.0 is live' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(2000)
  reason: string;
}

export class RevisePlanDto {
  @ApiProperty({ type: ImplementationPlanDto })
  @IsObject() @ValidateNested() @Type(() => ImplementationPlanDto)
  plan: ImplementationPlanDto;

  @ApiPropertyOptional({ description: 'Unchanged when absent' })
  @IsOptional() @Trim() @IsString() @IsNotEmpty() @MaxLength(20000)
  backoutPlan?: string;
}

export class DecisionDto {
  @ApiProperty({ enum: ['approve', 'reject', 'request_changes'] })
  @IsIn(['approve', 'reject', 'request_changes'])
  decision: 'approve' | 'reject' | 'request_changes';

  @ApiProperty({ example: 'Risk understood; backout tested in staging.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(5000)
  comment: string;

  @ApiProperty({ description: 'The plan hash the approver reviewed (GET /api/changes/{id} planHash); required, refused (409) if the plan has changed since' })
  @IsDefined({ message: 'planHash is required: name the plan hash you approve' })
  @IsString() @Matches(/^[0-9a-f]{64}$/, { message: 'planHash must be a sha256 hex digest' })
  planHash: string;
}

export class CompleteStepDto {
  @ApiProperty({ enum: ['succeeded', 'failed'] })
  @IsIn(['succeeded', 'failed'])
  outcome: 'succeeded' | 'failed';

  @ApiProperty()
  @Trim() @IsString() @IsNotEmpty() @MaxLength(5000)
  notes: string;
}

export class RescheduleDto {
  @ApiProperty({ type: TimeWindowDto })
  @IsObject() @ValidateNested() @Type(() => TimeWindowDto)
  window: TimeWindowDto;
}

export class ResolveHoldDto {
  @ApiProperty({ enum: ['rollback', 'continue'] })
  @IsIn(['rollback', 'continue'])
  action: 'rollback' | 'continue';
}

export class GateQuery {
  @ApiProperty({ description: 'The CI the pipeline is about to deploy to' })
  @IsString() @Matches(CI_KEY, { message: 'ci must be a CI key' })
  ci: string;

  @ApiPropertyOptional({ description: 'The artifact (commit or digest) the pipeline deploys' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9:._-]{7,128}$/, { message: 'sha must be a commit sha or digest' })
  sha?: string;
}

export class ChangeReviewDto {
  @ApiProperty({ example: 'Rollback worked; the health check missed the cache warm-up.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(20000)
  summary: string;

  @ApiProperty({ example: 'Add a cache warm-up step to the template.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(20000)
  lessons: string;
}
