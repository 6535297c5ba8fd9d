import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import { EscalationPolicyDto, SlaDefinitionDto } from './dtos/sla.dtos';
import { SlaService } from './sla.service';

@ApiTags('sla')
@ApiBearerAuth()
@Controller('api')
export class SlaController {
  constructor(private readonly sla: SlaService) {}

  @Get('sla/definitions')
  @ApiOperation({ summary: 'SLA targets in force, per scope (default or a service) and priority' })
  definitions() {
    return this.sla.definitions();
  }

  @Put('sla/definitions/:scope/:priority')
  @Roles('admin', 'service_owner')
  @ApiOperation({ summary: 'Publish new SLA targets for a scope and priority (a new version; open incidents keep theirs)' })
  publishDefinition(@CurrentPrincipal() caller: Principal, @Param('scope') scope: string, @Param('priority') priority: string, @Body() body: SlaDefinitionDto) {
    return this.sla.publishDefinition(caller, scope, priority, body);
  }

  @Get('escalation-policies')
  @ApiOperation({ summary: 'Escalation policies, every version' })
  policies() {
    return this.sla.policies();
  }

  @Post('escalation-policies')
  @Roles('admin', 'service_owner')
  @ApiOperation({ summary: 'Publish an escalation policy (a new version; open incidents stay pinned to theirs)' })
  publishPolicy(@CurrentPrincipal() caller: Principal, @Body() body: EscalationPolicyDto) {
    return this.sla.publishPolicy(caller, body);
  }
}
