import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CHANGE_ENTITIES } from '../entities';
import { AuditPersistenceModule } from '../audit/audit-persistence.module';
import { ChangeDecisionService } from './change-decision.service';
import { ChangeGateService } from './change-gate.service';
import { ChangeReadModel } from './change-read-model.service';
import { ChangeRecordsService } from './change-records.service';
import { ChangeRunGuard } from './change-run-guard.service';

/** The change records: the read model, decisions, the authorization gate and the run guard. Needs the process's SecurityModule (decision verifier, tokens). */
@Module({
  imports: [TypeOrmModule.forFeature(CHANGE_ENTITIES), AuditPersistenceModule],
  providers: [ChangeReadModel, ChangeDecisionService, ChangeGateService, ChangeRecordsService, ChangeRunGuard],
  exports: [TypeOrmModule, ChangeReadModel, ChangeDecisionService, ChangeGateService, ChangeRecordsService, ChangeRunGuard],
})
export class ChangePersistenceModule {}
