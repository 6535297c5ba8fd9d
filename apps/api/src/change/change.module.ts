import { DynamicModule, Module } from '@nestjs/common';
import type { ChangeProcessConfig } from '@steward/config';
import { ChangeContextService } from './change-context.service';
import { ChangeEventsService } from './change-events.service';
import { ChangeProcessOptions } from './change-process.options';
import { ChangeProcessService } from './change-process.service';
import { ChangeController } from './change.controller';
import { ChangeService } from './change.service';

@Module({})
export class ChangeModule {
  static forRoot(process?: ChangeProcessConfig): DynamicModule {
    return {
      module: ChangeModule,
      controllers: [ChangeController],
      providers: [{ provide: ChangeProcessOptions, useValue: new ChangeProcessOptions(process) }, ChangeService, ChangeProcessService, ChangeEventsService, ChangeContextService],
      exports: [ChangeProcessService],
    };
  }
}
