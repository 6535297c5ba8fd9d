import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { INCIDENT_ENTITIES } from '../entities';
import { IncidentOpeningService } from './incident-opening.service';
import { IncidentRecordsService } from './incident-records.service';

/** Incidents with their SLA definitions, escalation policies and impact rules. */

@Module({
  imports: [TypeOrmModule.forFeature(INCIDENT_ENTITIES)],
  providers: [IncidentOpeningService, IncidentRecordsService],
  exports: [TypeOrmModule, IncidentOpeningService, IncidentRecordsService],
})
export class IncidentPersistenceModule {}
