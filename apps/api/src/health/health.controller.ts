import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '@steward/identity';
import { TemporalSettings } from '@steward/temporal';
import { Connection } from '@temporalio/client';

/** Reachability of what the API cannot work without: PostgreSQL and the Temporal frontend. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly temporal: Connection,
    private readonly settings: TemporalSettings,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'PostgreSQL and Temporal reachability (503 when either is down)' })
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('postgres').withTimeout(2000),
      () =>
        this.indicators
          .check('temporal')
          .attempt(async () => {
            const info = await this.temporal.workflowService.getSystemInfo({});
            return { address: this.settings.address, namespace: this.settings.namespace, serverVersion: info.serverVersion ?? 'unknown' };
          })
          .withTimeout(2000),
    ]);
  }
}
