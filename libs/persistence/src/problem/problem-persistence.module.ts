import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditPersistenceModule } from '../audit/audit-persistence.module';
import { ProblemActionEntity, ProblemEntity, ProblemEventEntity, ProblemIncidentEntity } from './problem.entities';
import { ProblemRecordsService } from './problem-records.service';

export const PROBLEM_ENTITIES = [ProblemEntity, ProblemIncidentEntity, ProblemActionEntity, ProblemEventEntity];

@Module({
  imports: [TypeOrmModule.forFeature(PROBLEM_ENTITIES), AuditPersistenceModule],
  providers: [ProblemRecordsService],
  exports: [TypeOrmModule, ProblemRecordsService],
})
export class ProblemPersistenceModule {}
