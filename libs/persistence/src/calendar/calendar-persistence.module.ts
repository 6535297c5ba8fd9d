import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CALENDAR_ENTITIES } from '../entities';
import { SchedulingService } from './scheduling.service';

@Module({
  imports: [TypeOrmModule.forFeature(CALENDAR_ENTITIES)],
  providers: [SchedulingService],
  exports: [TypeOrmModule, SchedulingService],
})
export class CalendarPersistenceModule {}
