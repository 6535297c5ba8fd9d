import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import type { PayloadCodec } from '@temporalio/common';
import { codecCors } from './codec-cors.middleware';
import { CodecController } from './codec.controller';
import { ApiPayloadCodec, CodecService } from './codec.service';

class CodecCorsOrigin {
  constructor(readonly origin?: string) {}
}

@Module({})
export class CodecModule implements NestModule {
  constructor(private readonly cors: CodecCorsOrigin) {}

  static forRoot(options: { codec?: PayloadCodec; temporalUiOrigin?: string }): DynamicModule {
    return {
      module: CodecModule,
      controllers: [CodecController],
      providers: [{ provide: ApiPayloadCodec, useValue: new ApiPayloadCodec(options.codec) }, { provide: CodecCorsOrigin, useValue: new CodecCorsOrigin(options.temporalUiOrigin) }, CodecService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(codecCors(this.cors.origin)).forRoutes({ path: 'codec/encode', method: RequestMethod.ALL }, { path: 'codec/decode', method: RequestMethod.ALL });
  }
}
