import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditPersistenceModule } from '../audit/audit-persistence.module';
import { ApprovalPolicyEntity, ChangeApprovalEntity, ChangeAuthorizationEntity, ChangeFailureEntity, ChangeStepEntity, ChangeTemplateEntity } from './change-approval.entities';
import { ChangeDecisionService } from './change-decision.service';
import { ChangeEventEntity } from './change-event.entity';
import { ChangeExecutionEntity } from './change-execution.entity';
import { ChangeGateService } from './change-gate.service';
import { ChangeReadModel } from './change-read-model.service';
import { ChangeRecordsService } from './change-records.service';
import { ChangeRequestEntity } from './change-request.entity';
import { ChangeRunGuard } from './change-run-guard.service';

export const CHANGE_ENTITIES = [
  ChangeRequestEntity,
  ChangeEventEntity,
  ApprovalPolicyEntity,
  ChangeApprovalEntity,
  ChangeStepEntity,
  ChangeAuthorizationEntity,
  ChangeTemplateEntity,
  ChangeFailureEntity,
  ChangeExecutionEntity,
];

/** The change records: the read model, decisions, the authorization gate and the run guard. Needs the process's SecurityModule (decision verifier, tokens). */
@Module({
  imports: [TypeOrmModule.forFeature(CHANGE_ENTITIES), AuditPersistenceModule],
  providers: [ChangeReadModel, ChangeDecisionService, ChangeGateService, ChangeRecordsService, ChangeRunGuard],
  exports: [TypeOrmModule, ChangeReadModel, ChangeDecisionService, ChangeGateService, ChangeRecordsService, ChangeRunGuard],
})
export class ChangePersistenceModule {}
