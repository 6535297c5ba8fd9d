import { DynamicModule, Module } from '@nestjs/common';
import type { ChangeProcessSettings, SodImplementerMode } from '@steward/domain';
import { ChangeContextService } from './change-context.service';
import { ChangeEventsService } from './change-events.service';
import { ChangeProcessOptions } from './change-process.options';
import { ChangeProcessService } from './change-process.service';
import { ChangeController } from './change.controller';
import { ChangeService } from './change.service';
import { SodSettings } from './sod-settings';
import { AuditPersistenceModule, ChangePersistenceModule } from '@steward/persistence';

@Module({})
export class ChangeModule {
  static forRoot(process?: ChangeProcessSettings, sodImplementer: SodImplementerMode = 'distinct'): DynamicModule {
    return {
      module: ChangeModule,
      imports: [AuditPersistenceModule, ChangePersistenceModule],
      controllers: [ChangeController],
      providers: [{ provide: ChangeProcessOptions, useValue: new ChangeProcessOptions(process) }, { provide: SodSettings, useValue: new SodSettings(sodImplementer) }, ChangeService, ChangeProcessService, ChangeEventsService, ChangeContextService],
      exports: [ChangeProcessService],
    };
  }
}
