import { CreateCmdbAndChangeTables1764493200000 } from './1764493200000-create-cmdb-and-change-tables';
import { AddAuditLogAndCmdbGraph1764496800000 } from './1764496800000-add-audit-log-and-cmdb-graph';
import { AddChangeCalendar1764500400000 } from './1764500400000-add-change-calendar';
import { AddChangeEnablement1764504000000 } from './1764504000000-add-change-enablement';
import { SeedApprovalPoliciesAndTemplates1764504100000 } from './1764504100000-seed-approval-policies-and-templates';
import { AddChangeReview1764507600000 } from './1764507600000-add-change-review';
import { AddIncidentManagement1764511200000 } from './1764511200000-add-incident-management';
import { AddProblemManagement1764514800000 } from './1764514800000-add-problem-management';
import { AddNotificationDelivery1764518400000 } from './1764518400000-add-notification-delivery';
import { AddIncidentNoteKeys1764522000000 } from './1764522000000-add-incident-note-keys';
import { AddChangeExecutionLedger1764600000000 } from './1764600000000-add-change-execution-ledger';
import { AddServiceAccountsAndSod1764610000000 } from './1764610000000-add-service-accounts-and-sod';
import { AddAuditCheckpoint1764630000000 } from './1764630000000-add-audit-checkpoint';
import { WidenDecisionSignature1764640000000 } from './1764640000000-widen-decision-signature';
import { AddIdempotentRequests1764650000000 } from './1764650000000-add-idempotent-requests';

/** In order. A migration, once released, is never edited: add a new one. */
export const STEWARD_MIGRATIONS = [
  CreateCmdbAndChangeTables1764493200000,
  AddAuditLogAndCmdbGraph1764496800000,
  AddChangeCalendar1764500400000,
  AddChangeEnablement1764504000000,
  SeedApprovalPoliciesAndTemplates1764504100000,
  AddChangeReview1764507600000,
  AddIncidentManagement1764511200000,
  AddProblemManagement1764514800000,
  AddNotificationDelivery1764518400000,
  AddIncidentNoteKeys1764522000000,
  AddChangeExecutionLedger1764600000000,
  AddServiceAccountsAndSod1764610000000,
  AddAuditCheckpoint1764630000000,
  WidenDecisionSignature1764640000000,
  AddIdempotentRequests1764650000000,
];
