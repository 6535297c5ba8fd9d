import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IncidentNoteKeyEntity } from './incident-note-key.entity';
import { IncidentOpeningService } from './incident-opening.service';
import { IncidentRecordsService } from './incident-records.service';
import { EscalationPolicyEntity, ImpactRuleEntity, IncidentEntity, IncidentEventEntity, SlaDefinitionEntity } from './incident.entities';

/** Incidents with their SLA definitions, escalation policies and impact rules. */
export const INCIDENT_ENTITIES = [IncidentEntity, IncidentEventEntity, EscalationPolicyEntity, SlaDefinitionEntity, ImpactRuleEntity, IncidentNoteKeyEntity];

@Module({
  imports: [TypeOrmModule.forFeature(INCIDENT_ENTITIES)],
  providers: [IncidentOpeningService, IncidentRecordsService],
  exports: [TypeOrmModule, IncidentOpeningService, IncidentRecordsService],
})
export class IncidentPersistenceModule {}
