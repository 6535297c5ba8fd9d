import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '@steward/identity';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { Trim } from '../../common/dto-transforms';
import { CI_KEY, ISO_WITH_OFFSET } from '../../change/dtos/create-change.dto';

export class CreateServiceAccountDto {
  @ApiProperty({ example: 'payments-pipeline', description: 'Lower-case letters, digits and dashes; unique' })
  @Trim() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'name must be 2 to 63 lower-case letters, digits or dashes' })
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['change:submit', 'gate:read'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(API_KEY_SCOPES.length) @ArrayUnique() @IsIn(API_KEY_SCOPES, { each: true, message: `scopes must be among ${API_KEY_SCOPES.join(', ')}` })
  scopes: ApiKeyScope[];

  @ApiPropertyOptional({ type: [String], example: ['svc-payments'], description: 'Restricts the account to changes whose CIs are all among these' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @ArrayUnique() @Matches(CI_KEY, { each: true, message: 'each CI key must be a CI key' })
  cis?: string[];

  @ApiPropertyOptional({ example: '2027-06-30T00:00:00Z', description: 'After this, every key of the account is refused' })
  @IsOptional() @Matches(ISO_WITH_OFFSET, { message: 'expiresAt must be an ISO 8601 time with an offset' })
  expiresAt?: string;
}

export class IssueApiKeyDto {
  @ApiPropertyOptional({ example: '2027-01-31T00:00:00Z', description: 'Not after the account’s own expiry' })
  @IsOptional() @Matches(ISO_WITH_OFFSET, { message: 'expiresAt must be an ISO 8601 time with an offset' })
  expiresAt?: string;
}

export class ApiKeyView {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revokedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedBy: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastUsedAt: string | null;
  @ApiProperty() createdBy: string;
  @ApiProperty() createdAt: string;
}

export class IssuedApiKey extends ApiKeyView {
  @ApiProperty({ description: 'The key itself: shown only in this answer, never again (only its hash is kept)', example: 'stw_k3x9...' })
  key: string;
}

export class ServiceAccountView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The principal id its requests act as' }) principal: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: ApiKeyScope[];
  @ApiProperty({ type: [String], nullable: true }) cis: string[] | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty() createdBy: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: [ApiKeyView] }) keys: ApiKeyView[];
}

export class CreatedServiceAccount extends ServiceAccountView {
  @ApiProperty({ type: IssuedApiKey, description: 'The first key of the account, shown once' })
  key: IssuedApiKey;
}
