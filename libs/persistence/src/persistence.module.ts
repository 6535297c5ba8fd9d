import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from './audit/audit-log.service';
import { AuditCheckpoints } from './audit/audit-checkpoint.service';
import { SchedulingService } from './calendar/scheduling.service';
import { ChangeAssessmentService } from './change/change-assessment.service';
import { ChangeDecisionService } from './change/change-decision.service';
import { ChangeGateService } from './change/change-gate.service';
import { ChangeRunGuard } from './change/change-run-guard.service';
import { ChangeReadModel } from './change/change-read-model.service';
import { ChangeRecordsService } from './change/change-records.service';
import { ImpactAnalysisService } from './cmdb/impact-analysis.service';
import { Notifier } from './notification/notifier.service';
import { NotificationInbox } from './notification/notification-inbox.service';
import { WebhookOutbox } from './notification/webhook-outbox.service';
import { IncidentOpeningService } from './incident/incident-opening.service';
import { IncidentRecordsService } from './incident/incident-records.service';
import { KnowledgeBaseService } from './knowledge/knowledge-base.service';
import { ProblemRecordsService } from './problem/problem-records.service';
import { stewardDataSourceOptions } from './data-source-options';
import { STEWARD_ENTITIES } from './entities';

/** TypeORM over the configured PostgreSQL, and the read-model services both processes use. */
@Module({})
export class PersistenceModule {
  static forRoot(options: { url: string; applicationName: string; poolSize?: number; statementTimeoutMs?: number }): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({ ...stewardDataSourceOptions(options), retryAttempts: 3, retryDelay: 1000 }),
        TypeOrmModule.forFeature(STEWARD_ENTITIES),
      ],
      providers: [ChangeReadModel, AuditLog, AuditCheckpoints, ImpactAnalysisService, SchedulingService, ChangeAssessmentService, ChangeDecisionService, ChangeGateService, ChangeRecordsService, ChangeRunGuard, Notifier, NotificationInbox, WebhookOutbox, IncidentOpeningService, IncidentRecordsService, ProblemRecordsService, KnowledgeBaseService],
      exports: [TypeOrmModule, ChangeReadModel, AuditLog, AuditCheckpoints, ImpactAnalysisService, SchedulingService, ChangeAssessmentService, ChangeDecisionService, ChangeGateService, ChangeRecordsService, ChangeRunGuard, Notifier, NotificationInbox, WebhookOutbox, IncidentOpeningService, IncidentRecordsService, ProblemRecordsService, KnowledgeBaseService],
    };
  }
}
