import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChangeFreezeEntity, MaintenanceWindowEntity } from './calendar.entities';
import { SchedulingService } from './scheduling.service';

export const CALENDAR_ENTITIES = [MaintenanceWindowEntity, ChangeFreezeEntity];

@Module({
  imports: [TypeOrmModule.forFeature(CALENDAR_ENTITIES)],
  providers: [SchedulingService],
  exports: [TypeOrmModule, SchedulingService],
})
export class CalendarPersistenceModule {}
