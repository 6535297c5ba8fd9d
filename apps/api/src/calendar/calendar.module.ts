import { Module } from '@nestjs/common';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';
import { FreezeController } from './freeze.controller';
import { FreezeService } from './freeze.service';
import { MaintenanceWindowController } from './maintenance-window.controller';
import { MaintenanceWindowService } from './maintenance-window.service';
import { WaitingChangesNotifier } from './waiting-changes.notifier';

/** Maintenance windows, freezes and the change calendar; SchedulingService comes from persistence. */
@Module({
  controllers: [MaintenanceWindowController, FreezeController, CalendarController],
  providers: [MaintenanceWindowService, FreezeService, CalendarService, WaitingChangesNotifier],
})
export class CalendarModule {}
