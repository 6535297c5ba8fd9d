import { MAX_OFFSET } from '../../common/paging';
import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { CI_STATUSES, type CiStatus } from '@steward/domain';
import { CI_ENVIRONMENTS, CI_TYPES, RELATIONSHIP_TYPES, type CiEnvironment, type CiType, type RelationshipType } from '@steward/persistence';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
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
import { CI_KEY } from '../../change/dtos/create-change.dto';
import { Trim } from '../../common/dto-transforms';

const GROUP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const TAG = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export class CreateCiDto {
  @ApiProperty({ example: 'svc-payments' })
  @IsString() @Matches(CI_KEY, { message: 'key must start with a letter or digit and hold only letters, digits, . _ : - (at most 100)' })
  key: string;

  @ApiProperty({ example: 'Payments' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @ApiProperty({ enum: CI_TYPES })
  @IsIn(CI_TYPES)
  type: CiType;

  @ApiProperty({ enum: CI_ENVIRONMENTS })
  @IsIn(CI_ENVIRONMENTS)
  environment: CiEnvironment;

  @ApiProperty({ minimum: 1, maximum: 4, description: '1 is the most critical' })
  @IsInt() @Min(1) @Max(4)
  criticality: number;

  @ApiProperty({ example: 'payments-team' })
  @IsString() @Matches(GROUP, { message: 'ownerGroup must be a group name' })
  ownerGroup: string;

  @ApiPropertyOptional({ enum: CI_STATUSES, default: 'active' })
  @IsOptional() @IsIn(CI_STATUSES)
  status?: CiStatus;

  @ApiPropertyOptional({ example: '4.12.0' })
  @IsOptional() @Trim() @IsString() @IsNotEmpty() @MaxLength(100)
  version?: string;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000)
  usersAffected?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional() @IsObject()
  attributes?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['pci'] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ArrayUnique()
  @IsString({ each: true }) @Matches(TAG, { each: true, message: 'each of tags must be letters, digits, . _ : - (at most 64)' })
  tags?: string[];
}

/** Every field but the key may change; an update names only what it changes. */
export class UpdateCiDto extends PartialType(PickType(CreateCiDto, ['name', 'criticality', 'ownerGroup', 'status', 'version', 'usersAffected', 'attributes', 'tags'] as const)) {}

export class ListCisQuery {
  @ApiPropertyOptional({ enum: CI_TYPES }) @IsOptional() @IsIn(CI_TYPES) type?: CiType;
  @ApiPropertyOptional({ enum: CI_ENVIRONMENTS }) @IsOptional() @IsIn(CI_ENVIRONMENTS) environment?: CiEnvironment;
  @ApiPropertyOptional({ enum: CI_STATUSES }) @IsOptional() @IsIn(CI_STATUSES) status?: CiStatus;
  @ApiPropertyOptional() @IsOptional() @Matches(TAG, { message: 'tag must be a tag' }) tag?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(GROUP, { message: 'ownerGroup must be a group name' }) ownerGroup?: string;

  @ApiPropertyOptional({ description: 'Only CIs discovery has not reported for the stale period' })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean()
  stale?: boolean;

  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit: number = 100;
  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_OFFSET) offset: number = 0;
}

export class CreateRelationshipDto {
  @ApiProperty({ enum: RELATIONSHIP_TYPES, description: 'source <type> target, e.g. app depends_on db' })
  @IsIn(RELATIONSHIP_TYPES)
  type: RelationshipType;

  @ApiProperty({ example: 'db-payments' })
  @IsString() @Matches(CI_KEY, { message: 'target must be a CI key' })
  target: string;
}

export class ImpactQuery {
  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(50) maxDepth: number = 20;
}

export class DiscoveredItemDto {
  @ApiProperty() @IsString() @Matches(CI_KEY, { message: 'key must be a CI key' }) key: string;
  @ApiProperty({ nullable: true, type: String }) @IsOptional() @IsString() @MaxLength(100) version: string | null;
  @ApiPropertyOptional({ enum: CI_STATUSES }) @IsOptional() @IsIn(CI_STATUSES) status?: CiStatus;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() attributes?: Record<string, unknown>;
}

export class DiscoverySnapshotDto {
  @ApiProperty({ example: 'servicenow-discovery' })
  @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, { message: 'source must name the discovery source' })
  source: string;

  @ApiProperty({ type: [DiscoveredItemDto] })
  @IsArray() @ArrayMaxSize(50_000)
  @ValidateNested({ each: true }) @Type(() => DiscoveredItemDto)
  items: DiscoveredItemDto[];
}
