import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, type Role, type ServiceAccountIdentity } from '@steward/identity';

export class PrincipalView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: [String] }) roles: Role[];
  @ApiProperty({ type: [String] }) groups: string[];
  @ApiPropertyOptional({ type: Object, description: 'Set for an API key: account, key id, scopes, CIs' }) serviceAccount?: ServiceAccountIdentity;
}

@ApiTags('identity')
@ApiBearerAuth()
@Controller('api/me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'Who Steward thinks the caller is: roles and groups as read from the token, or the API key’s scopes' })
  @ApiResponse({ status: 200, type: PrincipalView })
  me(@CurrentPrincipal() caller: Principal): PrincipalView {
    return { id: caller.id, name: caller.name, roles: caller.roles, groups: caller.groups, ...(caller.serviceAccount ? { serviceAccount: caller.serviceAccount } : {}) };
  }
}
