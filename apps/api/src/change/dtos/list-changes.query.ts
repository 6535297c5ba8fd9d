import { MAX_OFFSET } from '../../common/paging';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { CHANGE_STATES, type ChangeState } from '@steward/contracts';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CI_KEY, ISO_WITH_OFFSET } from './create-change.dto';

export class ListChangesQuery {
  @ApiPropertyOptional({ enum: CHANGE_STATES })
  @IsOptional() @IsIn(CHANGE_STATES)
  state?: ChangeState;

  @ApiPropertyOptional({ description: 'Changes touching this CI' })
  @IsOptional() @IsString() @Matches(CI_KEY, { message: 'ci must be a CI key' })
  ci?: string;

  @ApiPropertyOptional({ description: 'Submitted at or after (ISO 8601 with offset)' })
  @IsOptional() @Matches(ISO_WITH_OFFSET, { message: 'from must be an ISO 8601 timestamp with an offset' })
  from?: string;

  @ApiPropertyOptional({ description: 'Submitted before (ISO 8601 with offset)' })
  @IsOptional() @Matches(ISO_WITH_OFFSET, { message: 'to must be an ISO 8601 timestamp with an offset' })
  to?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_OFFSET)
  offset: number = 0;
}
