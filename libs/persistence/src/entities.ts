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

// Each bounded context's entities, registered by its persistence module (TypeOrmModule.forFeature).
export const AUDIT_ENTITIES = [AuditEventEntity, AuditCheckpointEntity];
export const CALENDAR_ENTITIES = [MaintenanceWindowEntity, ChangeFreezeEntity];
export const CHANGE_ENTITIES = [ChangeRequestEntity, ChangeEventEntity, ApprovalPolicyEntity, ChangeApprovalEntity, ChangeStepEntity, ChangeAuthorizationEntity, ChangeTemplateEntity, ChangeFailureEntity, ChangeExecutionEntity];
export const CMDB_ENTITIES = [ConfigurationItemEntity, CiRelationshipEntity, DiscoveryRunEntity, DiscoveryFindingEntity];
export const IDENTITY_ENTITIES = [ServiceAccountEntity, ApiKeyEntity];
export const INCIDENT_ENTITIES = [IncidentEntity, IncidentEventEntity, EscalationPolicyEntity, SlaDefinitionEntity, ImpactRuleEntity, IncidentNoteKeyEntity];
export const KNOWLEDGE_ENTITIES = [KnowledgeArticleEntity];
export const NOTIFICATION_ENTITIES = [NotificationEntity, NotificationReadEntity, WebhookDeliveryEntity];
export const PROBLEM_ENTITIES = [ProblemEntity, ProblemIncidentEntity, ProblemActionEntity, ProblemEventEntity];

/** Every entity of the schema, for the DataSource of the API, the worker, migrations and tests: the contexts' lists together. */
export const STEWARD_ENTITIES = [
  ...AUDIT_ENTITIES,
  ...CALENDAR_ENTITIES,
  ...CHANGE_ENTITIES,
  ...CMDB_ENTITIES,
  ...IDENTITY_ENTITIES,
  ...INCIDENT_ENTITIES,
  ...KNOWLEDGE_ENTITIES,
  ...NOTIFICATION_ENTITIES,
  ...PROBLEM_ENTITIES,
];
