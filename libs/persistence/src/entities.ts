import {
  ApprovalPolicyEntity,
  ChangeApprovalEntity,
  ChangeAuthorizationEntity,
  ChangeFailureEntity,
  ChangeStepEntity,
  ChangeTemplateEntity,
  NotificationEntity,
} from './change/change-approval.entities';
import { ChangeEventEntity } from './change/change-event.entity';
import { ChangeExecutionEntity } from './change/change-execution.entity';
import { ChangeRequestEntity } from './change/change-request.entity';
import { AuditEventEntity } from './audit/audit-event.entity';
import { AuditCheckpointEntity } from './audit/audit-checkpoint.entity';
import { ChangeFreezeEntity, MaintenanceWindowEntity } from './calendar/calendar.entities';
import { CiRelationshipEntity } from './cmdb/ci-relationship.entity';
import { ConfigurationItemEntity } from './cmdb/configuration-item.entity';
import { DiscoveryFindingEntity, DiscoveryRunEntity } from './cmdb/discovery.entities';
import { NotificationReadEntity, WebhookDeliveryEntity } from './notification/notification.entities';
import { EscalationPolicyEntity, ImpactRuleEntity, IncidentEntity, IncidentEventEntity, SlaDefinitionEntity } from './incident/incident.entities';
import { IncidentNoteKeyEntity } from './incident/incident-note-key.entity';
import { ApiKeyEntity, ServiceAccountEntity } from './identity/service-account.entities';
import { KnowledgeArticleEntity } from './knowledge/knowledge-article.entity';
import { ProblemActionEntity, ProblemEntity, ProblemEventEntity, ProblemIncidentEntity } from './problem/problem.entities';

/** Every entity of the schema, listed once for the API, the worker, migrations and tests. */
export const STEWARD_ENTITIES = [
  ConfigurationItemEntity,
  CiRelationshipEntity,
  DiscoveryRunEntity,
  DiscoveryFindingEntity,
  ChangeRequestEntity,
  ChangeEventEntity,
  AuditEventEntity,
  AuditCheckpointEntity,
  MaintenanceWindowEntity,
  ChangeFreezeEntity,
  ApprovalPolicyEntity,
  ChangeApprovalEntity,
  ChangeStepEntity,
  ChangeAuthorizationEntity,
  ChangeTemplateEntity,
  ChangeFailureEntity,
  ChangeExecutionEntity,
  NotificationEntity,
  NotificationReadEntity,
  WebhookDeliveryEntity,
  IncidentEntity,
  IncidentEventEntity,
  EscalationPolicyEntity,
  SlaDefinitionEntity,
  ImpactRuleEntity,
  IncidentNoteKeyEntity,
  ProblemEntity,
  ProblemIncidentEntity,
  ProblemActionEntity,
  ProblemEventEntity,
  KnowledgeArticleEntity,
  ServiceAccountEntity,
  ApiKeyEntity,
];
