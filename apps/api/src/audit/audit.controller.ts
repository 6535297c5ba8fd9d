import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CHECKPOINT_FORMAT, StewardError } from '@steward/domain';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import { AuditCheckpoints, AuditLog, claimOf, type AuditCheckpointEntity, type AuditVerificationWithCheckpoints } from '@steward/persistence';
import { AuditCheckpointKeys, type AuditPublicKeyView, type CheckpointExport } from '@steward/security';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class AuditQuery {
  @ApiPropertyOptional({ example: 'change' }) @IsOptional() @IsString() @Matches(/^[a-z_]{1,50}$/, { message: 'entity must be an entity name such as change or ci' }) entity?: string;
  @ApiPropertyOptional({ example: 'CHG-000123' }) @IsOptional() @IsString() @MaxLength(200) id?: string;
  @ApiPropertyOptional({ description: 'Events after this sequence number (paging)' }) @IsOptional() @Matches(/^\d{1,18}$/, { message: 'after must be a sequence number' }) after?: string;
  @ApiPropertyOptional({ default: 200, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit: number = 200;
}

export class CheckpointListQuery {
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
}

export class AuditCheckpointView {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Sequence number of the last event covered' }) headSeq: string;
  @ApiProperty() headHash: string;
  @ApiProperty() events: string;
  @ApiProperty() at: string;
  @ApiProperty() keyId: string;
  @ApiProperty({ description: 'base64 Ed25519 signature' }) signature: string;
  @ApiProperty() createdBy: string;
}

export class AuditPublicKeyResponse {
  @ApiProperty() keyId: string;
  @ApiProperty({ enum: ['Ed25519'] }) algorithm: 'Ed25519';
  @ApiProperty() pem: string;
  @ApiProperty({ description: 'base64 SPKI DER' }) spki: string;
}

export class CheckpointClaimView {
  @ApiProperty() id: string;
  @ApiProperty() headSeq: string;
  @ApiProperty() headHash: string;
  @ApiProperty() events: string;
  @ApiProperty() at: string;
  @ApiProperty() keyId: string;
}

export class CheckpointExportView {
  @ApiProperty({ enum: [CHECKPOINT_FORMAT] }) format: typeof CHECKPOINT_FORMAT;
  @ApiProperty({ type: CheckpointClaimView }) checkpoint: CheckpointClaimView;
  @ApiProperty({ description: 'base64 Ed25519 signature over the canonical JSON of the claim (without id) and the format' }) signature: string;
  @ApiProperty({ type: AuditPublicKeyResponse }) publicKey: AuditPublicKeyResponse;
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
  constructor(
    private readonly audit: AuditLog,
    private readonly checkpoints: AuditCheckpoints,
    private readonly keys: AuditCheckpointKeys,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Append-only events, oldest first' })
  async list(@Query() query: AuditQuery): Promise<AuditEventView[]> {
    const events = await this.audit.list({ entity: query.entity, entityId: query.id, limit: query.limit, afterSeq: query.after });
    return events.map((e) => ({ ...e, at: e.at.toISOString() }));
  }

  @Get('verify')
  @ApiOperation({
    summary:
      'Walk the hash chain, then check every signed checkpoint against it: { valid, events, brokenAt?, reason?, checkpoint?, checkpoints }. ' +
      'Invalid when an event was altered or removed, when the chain ends before a checkpoint (truncated), differs at one (rewritten), or a checkpoint does not verify (forged).',
  })
  verify(): Promise<AuditVerificationWithCheckpoints> {
    return this.checkpoints.verify(this.keys);
  }

  @Post('checkpoints')
  @HttpCode(201)
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Sign a checkpoint of the chain head now (admins and auditors); recorded in the audit trail' })
  @ApiResponse({ status: 201, type: AuditCheckpointView })
  async createCheckpoint(@CurrentPrincipal() principal: Principal): Promise<AuditCheckpointView> {
    return checkpointView(await this.checkpoints.create(this.keys, principal.id));
  }

  @Get('checkpoints')
  @ApiOperation({ summary: 'Signed checkpoints, newest first' })
  async listCheckpoints(@Query() query: CheckpointListQuery): Promise<AuditCheckpointView[]> {
    return (await this.checkpoints.list(query.limit)).map(checkpointView);
  }

  @Get('checkpoints/public-key')
  @ApiOperation({ summary: 'The Ed25519 public key checkpoints are signed with (compare its keyId with the one you keep)' })
  @ApiResponse({ status: 200, type: AuditPublicKeyResponse })
  publicKey(): AuditPublicKeyResponse {
    const view = this.keys.publicKeyView();
    if (!view) throw new StewardError('unavailable', 'audit checkpoints are not configured on this server (AUDIT_SIGNING_KEY)');
    return view;
  }

  @Get('checkpoints/latest')
  @ApiOperation({ summary: 'The latest checkpoint with its signature and public key, to keep elsewhere and check offline (npm run verify-checkpoint)' })
  @ApiResponse({ status: 200, type: CheckpointExportView })
  async latestCheckpoint(): Promise<CheckpointExport> {
    const row = await this.checkpoints.latest();
    if (!row) throw new StewardError('not_found', 'no audit checkpoint has been signed yet');
    const key = this.keys.trustedKeys().find((k) => k.keyId === row.keyId);
    if (!key) throw new StewardError('conflict', `the latest checkpoint (#${row.id}) was signed by key ${row.keyId}, which this server does not trust`);
    return { format: CHECKPOINT_FORMAT, checkpoint: { id: row.id, ...claimOf(row) }, signature: row.signature, publicKey: key satisfies AuditPublicKeyView };
  }
}

function checkpointView(row: AuditCheckpointEntity): AuditCheckpointView {
  return { ...claimOf(row), id: row.id, signature: row.signature, createdBy: row.createdBy };
}
