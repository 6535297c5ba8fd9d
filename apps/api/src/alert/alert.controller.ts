import { Body, Controller, HttpCode, Injectable, Post, ValidationPipe, type PipeTransform } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import { fieldProblems, invalidFields } from '../common/validation';
import { AlertIntakeService } from './alert-intake.service';
import { AlertIntakeResponse, AlertmanagerPayloadDto } from './dtos/alertmanager.dto';

/**
 * Validates the payload like every body, except that fields this API does not know are dropped
 * instead of refused: Alertmanager's payload is not ours, a newer Alertmanager may add a field,
 * and a 400 is never retried by it, so refusing would lose alerts.
 */
@Injectable()
export class AlertmanagerPayloadPipe implements PipeTransform<unknown, Promise<AlertmanagerPayloadDto>> {
  private readonly pipe = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => invalidFields(fieldProblems(errors)),
  });

  transform(value: unknown): Promise<AlertmanagerPayloadDto> {
    return this.pipe.transform(value, { type: 'body', metatype: AlertmanagerPayloadDto }) as Promise<AlertmanagerPayloadDto>;
  }
}

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api/alerts')
export class AlertController {
  constructor(private readonly intake: AlertIntakeService) {}

  @Post('alertmanager')
  @HttpCode(200)
  @Roles('monitoring', 'service_desk', 'admin')
  @ApiOperation({
    summary: 'Alertmanager webhook (payload version 4): firing alerts open or update incidents, resolved alerts add a note',
    description: [
      'One answer per alert, in order. A firing alert opens an incident on the CI named by its `ci` label (else `service`), or returns the open incident',
      'with the same fingerprint (`created: false`); urgency from `urgency` (1..3) or `severity` (critical 1, warning 2, info 3), impact from `impact`',
      '(1..3, default 2, raised by the CMDB). A repeat adds a note only when `startsAt` changed; a resolved alert adds one note',
      '"alert resolved at <endsAt>" to the open incident, or answers `id: null` when there is none.',
      'An alert without a CI label, or naming a CI the CMDB does not know, does not fail the others: it is answered `{ id: null, created: false, error }`.',
      'Fields the payload has beyond version 4 are ignored. When the workflow engine is unavailable the answer is 503, so that Alertmanager sends',
      'the notification again; everything already taken in is idempotent on that redelivery.',
    ].join(' '),
  })
  @ApiBody({ type: AlertmanagerPayloadDto })
  @ApiResponse({ status: 200, type: AlertIntakeResponse })
  @ApiResponse({ status: 503, description: 'The workflow engine did not answer: send again' })
  receive(@CurrentPrincipal() caller: Principal, @Body(AlertmanagerPayloadPipe) body: Record<string, unknown>): Promise<AlertIntakeResponse> {
    return this.intake.receive(caller, body as unknown as AlertmanagerPayloadDto);
  }
}
