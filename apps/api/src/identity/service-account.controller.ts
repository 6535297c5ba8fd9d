import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import { ApiKeyView, CreatedServiceAccount, CreateServiceAccountDto, IssuedApiKey, IssueApiKeyDto, ServiceAccountView } from './dtos/service-account.dto';
import { ServiceAccountService } from './service-account.service';
import { ParseAccountIdPipe, ParseKeyIdPipe } from './service-account-id.pipe';

@ApiTags('service accounts')
@ApiBearerAuth()
@Controller('api/service-accounts')
export class ServiceAccountController {
  constructor(private readonly accounts: ServiceAccountService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a pipeline service account and its first API key (shown once, in this answer)' })
  @ApiResponse({ status: 201, type: CreatedServiceAccount })
  create(@CurrentPrincipal() caller: Principal, @Body() body: CreateServiceAccountDto): Promise<CreatedServiceAccount> {
    return this.accounts.create(caller, body);
  }

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Service accounts with their keys (never the keys themselves): expiry, revocation, last use' })
  @ApiResponse({ status: 200, type: [ServiceAccountView] })
  list(): Promise<ServiceAccountView[]> {
    return this.accounts.list();
  }

  @Get(':id')
  @Roles('admin', 'auditor')
  @ApiResponse({ status: 200, type: ServiceAccountView })
  get(@Param('id', ParseAccountIdPipe) id: string): Promise<ServiceAccountView> {
    return this.accounts.get(id);
  }

  @Post(':id/keys')
  @Roles('admin')
  @ApiOperation({ summary: 'Issue another API key (rotation); the key is shown once, in this answer' })
  @ApiResponse({ status: 201, type: IssuedApiKey })
  issue(@CurrentPrincipal() caller: Principal, @Param('id', ParseAccountIdPipe) id: string, @Body() body: IssueApiKeyDto): Promise<IssuedApiKey> {
    return this.accounts.issue(caller, id, body.expiresAt);
  }

  @Delete(':id/keys/:keyId')
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke an API key: refused from the next request on' })
  @ApiResponse({ status: 200, type: ApiKeyView })
  remove(@CurrentPrincipal() caller: Principal, @Param('id', ParseAccountIdPipe) id: string, @Param('keyId', ParseKeyIdPipe) keyId: string): Promise<ApiKeyView> {
    return this.accounts.revoke(caller, id, keyId);
  }

  @Post(':id/keys/:keyId/revoke')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke an API key (same as DELETE)' })
  @ApiResponse({ status: 200, type: ApiKeyView })
  revoke(@CurrentPrincipal() caller: Principal, @Param('id', ParseAccountIdPipe) id: string, @Param('keyId', ParseKeyIdPipe) keyId: string): Promise<ApiKeyView> {
    return this.accounts.revoke(caller, id, keyId);
  }
}
