import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { TemporalSettings } from '@steward/temporal';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { CodecPayloadDto } from './codec.dtos';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The payload codec the API's Temporal client uses, or none (the bench's comparison run). */
export class ApiPayloadCodec {
  constructor(readonly codec?: PayloadCodec) {}
}

/** Temporal's remote codec protocol over the API's own payload codec. */
@Injectable()
export class CodecService {
  constructor(
    private readonly holder: ApiPayloadCodec,
    private readonly temporal: TemporalSettings,
  ) {}

  async run(direction: 'encode' | 'decode', namespace: string | undefined, payloads: CodecPayloadDto[]): Promise<{ payloads: CodecPayloadDto[] }> {
    const codec = this.holder.codec;
    if (!codec) throw new NotFoundException('no payload codec is configured on this API');
    // The keys are Steward's: another namespace's payloads are not ours to decode. The CLI sends
    // an empty X-Namespace when its --namespace was left at the default: that names no namespace.
    if (namespace && namespace !== this.temporal.namespace) {
      throw new BadRequestException(`X-Namespace ${namespace} is not the namespace Steward uses (${this.temporal.namespace})`);
    }
    const decoded = payloads.map((p, i) => fromJson(p, i));
    let result: Payload[];
    try {
      result = direction === 'encode' ? await codec.encode(decoded) : await codec.decode(decoded);
    } catch (error) {
      throw new BadRequestException(`cannot ${direction} the payloads: ${(error as Error).message}`);
    }
    return { payloads: result.map(toJson) };
  }
}

function fromJson(payload: CodecPayloadDto, index: number): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (typeof value !== 'string' || !BASE64.test(value)) throw new BadRequestException(`payloads.${index}.metadata.${key} must be base64`);
    metadata[key] = Buffer.from(value, 'base64');
  }
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function toJson(payload: Payload): CodecPayloadDto {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) if (value) metadata[key] = Buffer.from(value).toString('base64');
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}
