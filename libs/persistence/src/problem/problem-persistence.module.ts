import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PROBLEM_ENTITIES } from '../entities';
import { AuditPersistenceModule } from '../audit/audit-persistence.module';
import { ProblemRecordsService } from './problem-records.service';

@Module({
  imports: [TypeOrmModule.forFeature(PROBLEM_ENTITIES), AuditPersistenceModule],
  providers: [ProblemRecordsService],
  exports: [TypeOrmModule, ProblemRecordsService],
})
export class ProblemPersistenceModule {}
