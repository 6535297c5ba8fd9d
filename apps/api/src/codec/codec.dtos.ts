import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A Temporal Payload in protobuf JSON form: metadata values and data in base64. */
export class CodecPayloadDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', format: 'byte' }, example: { encoding: 'anNvbi9wbGFpbg==' } })
  @IsObject()
  metadata: Record<string, string>;

  @ApiPropertyOptional({ type: 'string', format: 'byte', example: 'eyJvayI6dHJ1ZX0=' })
  @IsOptional()
  @IsString()
  @Matches(BASE64, { message: 'data must be base64' })
  data?: string;
}

/** The body of Temporal's remote codec protocol, both ways (`POST /codec/encode`, `POST /codec/decode`). */
export class CodecPayloadsDto {
  @ApiProperty({ type: [CodecPayloadDto] })
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => CodecPayloadDto)
  payloads: CodecPayloadDto[];
}
