import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Roles } from '@steward/identity';
import { AuditLog, type AuditVerification } from '@steward/persistence';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class AuditQuery {
  @ApiPropertyOptional({ example: 'change' }) @IsOptional() @IsString() @Matches(/^[a-z_]{1,50}$/, { message: 'entity must be an entity name such as change or ci' }) entity?: string;
  @ApiPropertyOptional({ example: 'CHG-000123' }) @IsOptional() @IsString() @MaxLength(200) id?: string;
  @ApiPropertyOptional({ description: 'Events after this sequence number (paging)' }) @IsOptional() @Matches(/^\d{1,18}$/, { message: 'after must be a sequence number' }) after?: string;
  @ApiPropertyOptional({ default: 200, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit = 200;
}

export class AuditEventView {
  @ApiProperty() seq: string;
  @ApiProperty() at: string;
  @ApiProperty() entity: string;
  @ApiProperty() entityId: string;
  @ApiProperty() action: string;
  @ApiProperty() actor: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty() prevHash: string;
  @ApiProperty() hash: string;
}

/** The audit trail: read by auditors, change managers and admins; written by no one over HTTP. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
@Roles('auditor', 'admin', 'change_manager', 'service_owner')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: 'Append-only events, oldest first' })
  async list(@Query() query: AuditQuery): Promise<AuditEventView[]> {
    const events = await this.audit.list({ entity: query.entity, entityId: query.id, limit: query.limit, afterSeq: query.after });
    return events.map((e) => ({ ...e, at: e.at.toISOString() }));
  }

  @Get('verify')
  @ApiOperation({ summary: 'Walk the hash chain: { valid, events, brokenAt? }' })
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
