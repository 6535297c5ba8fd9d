import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@steward/identity';
import { CodecPayloadsDto } from './codec.dtos';
import { CodecService } from './codec.service';

/**
 * Temporal's remote codec endpoint, for the Temporal UI ("Codec Server" setting) and the CLI
 * (`--codec-endpoint`): it decrypts histories for the people who may read them. The roles are
 * those that may read every change's history in Steward: admin, auditor, change_manager.
 * Requesters, CAB members and engineers see their changes through the API, not raw histories.
 */
@ApiTags('codec')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Namespace', required: false, description: 'The Temporal namespace (must be the one Steward uses)' })
@Controller('codec')
@Roles('admin', 'auditor', 'change_manager')
export class CodecController {
  constructor(private readonly codec: CodecService) {}

  @Post('decode')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decrypt payloads (remote codec protocol)' })
  decode(@Body() body: CodecPayloadsDto, @Headers('x-namespace') namespace?: string): Promise<CodecPayloadsDto> {
    return this.codec.run('decode', namespace, body.payloads);
  }

  @Post('encode')
  @HttpCode(200)
  @ApiOperation({ summary: 'Encrypt payloads (remote codec protocol), e.g. a signal typed in the Temporal UI' })
  encode(@Body() body: CodecPayloadsDto, @Headers('x-namespace') namespace?: string): Promise<CodecPayloadsDto> {
    return this.codec.run('encode', namespace, body.payloads);
  }
}
