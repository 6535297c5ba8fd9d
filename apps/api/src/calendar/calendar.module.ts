import { Module } from '@nestjs/common';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';
import { FreezeController } from './freeze.controller';
import { FreezeService } from './freeze.service';
import { MaintenanceWindowController } from './maintenance-window.controller';
import { MaintenanceWindowService } from './maintenance-window.service';
import { WaitingChangesNotifier } from './waiting-changes.notifier';
import { AuditPersistenceModule, CalendarPersistenceModule } from '@steward/persistence';

/** Maintenance windows, freezes and the change calendar. */
@Module({
  imports: [AuditPersistenceModule, CalendarPersistenceModule],
  controllers: [MaintenanceWindowController, FreezeController, CalendarController],
  providers: [MaintenanceWindowService, FreezeService, CalendarService, WaitingChangesNotifier],
})
export class CalendarModule {}
