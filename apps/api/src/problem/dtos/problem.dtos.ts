import { MAX_OFFSET } from '../../common/paging';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROBLEM_ACTION_STATES, PROBLEM_STATES, type ProblemActionState, type ProblemState } from '@steward/contracts';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Trim } from '../../common/dto-transforms';

const INCIDENT_ID = /^INC-\d{6,}$/;
const CHANGE_ID = /^CHG-\d{6,}$/;

export class CreateProblemDto {
  @ApiProperty({ example: 'Checkout times out under load' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  title: string;

  @ApiProperty({ example: 'Three P3 timeouts on payments-api this week; suspected connection pool exhaustion.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(10_000)
  description: string;

  @ApiPropertyOptional({ type: [String], example: ['INC-000045'], description: 'Incidents this problem is about' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ArrayUnique()
  @Matches(INCIDENT_ID, { each: true, message: 'incidents must be incident ids such as INC-000045' })
  incidents?: string[];
}

export class InvestigateProblemDto {
  @ApiProperty({ example: 'pam', description: 'Who leads the investigation' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  owner: string;

  @ApiProperty({ example: '5 whys', description: 'Root-cause analysis method: 5 whys, Ishikawa, Kepner-Tregoe, fault tree...' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(100)
  rcaMethod: string;
}

export class RootCauseDto {
  @ApiPropertyOptional({ example: 'Ishikawa' })
  @IsOptional() @Trim() @IsString() @IsNotEmpty() @MaxLength(100)
  rcaMethod?: string;

  @ApiProperty({ example: 'Pool exhausted at peak; retries hold connections while they back off.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(10_000)
  findings: string;

  @ApiProperty({ example: 'The retry path does not release its connection before sleeping.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(10_000)
  rootCause: string;
}

export class KnownErrorDto {
  @ApiProperty({ example: 'Restart the payments-api pods; raise the pool to 200 until the fix ships.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(10_000)
  workaround: string;

  @ApiPropertyOptional({ example: 'Checkout timeouts: restart payments-api', description: 'Title of the published article' })
  @IsOptional() @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  title?: string;
}

export class FixDto {
  @ApiProperty({ example: 'CHG-000123', description: 'The change that fixes the root cause' })
  @IsString() @Matches(CHANGE_ID, { message: 'changeId must be a change id such as CHG-000123' })
  changeId: string;
}

export class ListProblemsQuery {
  @ApiPropertyOptional({ enum: PROBLEM_STATES })
  @IsOptional() @IsIn(PROBLEM_STATES)
  state?: ProblemState;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_OFFSET)
  offset: number = 0;
}

export class ProblemCreatedResponse {
  @ApiProperty({ example: 'PRB-000001' }) id: string;
  @ApiProperty({ enum: PROBLEM_STATES }) state: ProblemState;
  @ApiProperty({ example: 'problem-PRB-000001' }) workflowId: string;
}

export class ProblemIncidentView {
  @ApiProperty({ example: 'INC-000045' }) incidentId: string;
  @ApiProperty({ description: 'Attached as a recurrence of the signature' }) recurrence: boolean;
  @ApiProperty() linkedAt: string;
}

export class ProblemActionView {
  @ApiProperty({ example: '12' }) id: string;
  @ApiProperty() incidentId: string;
  @ApiProperty() title: string;
  @ApiProperty() owner: string;
  @ApiProperty() dueAt: string;
  @ApiProperty({ enum: PROBLEM_ACTION_STATES }) state: ProblemActionState;
  @ApiProperty({ nullable: true, type: String }) doneAt: string | null;
  @ApiProperty({ nullable: true, type: String }) doneBy: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When its owner and the problem managers were told it is overdue' }) escalatedAt: string | null;
}

/** A problem as lists show it: without its incidents and actions (ask for one problem for those). */
export class ProblemSummaryView {
  @ApiProperty({ example: 'PRB-000001' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: PROBLEM_STATES }) state: ProblemState;
  @ApiProperty({ nullable: true, type: String }) owner: string | null;
  @ApiProperty({ nullable: true, type: String }) rcaMethod: string | null;
  @ApiProperty({ nullable: true, type: String }) findings: string | null;
  @ApiProperty({ nullable: true, type: String }) rootCause: string | null;
  @ApiProperty({ nullable: true, type: String }) workaround: string | null;
  @ApiProperty({ nullable: true, type: String }) knownErrorArticleId: string | null;
  @ApiProperty({ nullable: true, type: String }) fixChangeId: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'app-payments-api|timeout' }) signature: string | null;
  @ApiProperty({ type: Object, description: 'What opened it: manual, major_incident or recurrence' }) trigger: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, description: 'Why it last went back to investigating' }) reopenReason: string | null;
  @ApiProperty() openedAt: string;
  @ApiProperty({ nullable: true, type: String }) resolvedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) observationUntil: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt: string | null;
  @ApiProperty() workflowId: string;
}

export class ProblemView extends ProblemSummaryView {
  @ApiProperty({ type: [ProblemIncidentView] }) incidents: ProblemIncidentView[];
  @ApiProperty({ type: [ProblemActionView] }) actions: ProblemActionView[];
}

export class ProblemPage {
  @ApiProperty({ type: [ProblemSummaryView], description: 'Without incidents and actions; ask for one problem for those' }) items: ProblemSummaryView[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class ProblemTimelineEntry {
  @ApiProperty() at: string;
  @ApiProperty() type: string;
  @ApiProperty() actor: string;
  @ApiProperty({ type: Object }) data: Record<string, unknown>;
}
