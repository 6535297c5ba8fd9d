import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@steward/identity';
import { DiscoveryService, type ReconciliationResult } from './discovery.service';
import { DiscoverySnapshotDto } from './dtos/ci.dtos';

@ApiTags('cmdb')
@ApiBearerAuth()
@Controller('api/cmdb')
export class DiscoveryController {
  constructor(private readonly discovery: DiscoveryService) {}

  @Post('discovery')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reconcile a discovery snapshot: explained drift updates the CMDB, the rest are unauthorized-change findings',
    description:
      'Each unauthorized finding on a CI the CMDB knows opens an incident linked to it (`incidents`, once per finding). An incident that cannot be opened now (workflow engine unavailable) is reported with `error`; the reconciliation stands and the next snapshot retries it.',
  })
  reconcile(@CurrentPrincipal() caller: Principal, @Body() body: DiscoverySnapshotDto): Promise<ReconciliationResult> {
    return this.discovery.reconcile(caller, body);
  }
}
