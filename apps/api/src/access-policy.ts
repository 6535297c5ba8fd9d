import { SOD_RULES } from '@steward/domain';
import { ROLES, type ApiKeyScope, type Principal, type Role } from '@steward/identity';

/**
 * The written access policy of the HTTP API: for every route of the OpenAPI document, which
 * roles and which API-key scopes may call it, and below, who may read which objects.
 * docs/security/identity.md explains it; the AuthGuard enforces the route level from this file;
 * test/security/api5-broken-function-level-authorization.test.ts walks every route of
 * GET /docs-json as every role and every scope and compares the answers with it, and fails for a
 * route that is missing here.
 *
 * A route with no scopes is closed to API keys. `roles` says who may call the route at all;
 * the service may refuse further for the object (a CI's owner group, the change's requester,
 * segregation of duties), always with a 403 that names the rule.
 */
export interface RouteAccess {
  /** `public`: no credential at all; `authenticated`: any verified caller, whatever its roles. */
  roles: readonly Role[] | 'public' | 'authenticated';
  scopes?: readonly ApiKeyScope[];
  /** The rule a 403 names when an API key calls a route closed to keys for a reason of principle. */
  keyRefusal?: string;
}

/** Everyone who is a person: `monitoring` (Alertmanager's identity) reads nothing. */
const PEOPLE: readonly Role[] = ROLES.filter((r) => r !== 'monitoring');
/** Reading the records of the service: every person (ITSM work needs the whole picture). */
const READERS = PEOPLE;
const CHANGE_WRITERS: readonly Role[] = ['requester', 'release_engineer', 'change_manager', 'admin'];
const VOTERS: readonly Role[] = ['cab_member', 'change_manager'];
const RESPONDERS: readonly Role[] = ['service_desk', 'resolver', 'incident_commander', 'admin'];
const PROBLEM_MANAGERS: readonly Role[] = ['problem_manager', 'admin'];
const AUDIT_READERS: readonly Role[] = ['auditor', 'admin', 'change_manager', 'service_owner'];
const REPORT_READERS: readonly Role[] = ['auditor', 'change_manager', 'service_owner', 'problem_manager', 'incident_commander', 'service_desk', 'admin'];
const SERVICE_LEVEL_OWNERS: readonly Role[] = ['admin', 'service_owner'];
/** CMDB and calendar writes: the service admits admin, change_manager or the CI's owner group. */
const CMDB_WRITERS = PEOPLE;

export const ACCESS_POLICY: Readonly<Record<string, RouteAccess>> = {
  'GET /health': { roles: 'public' },

  // The console's demo sign-in: registered only by the embedded launcher (npm start, no OIDC
  // issuer), whose banner prints the same tokens; every other API answers 404.
  'GET /api/demo/users': { roles: 'public' },
  'POST /api/demo/tokens': { roles: 'public' },

  // Changes
  'POST /api/changes': { roles: CHANGE_WRITERS, scopes: ['change:submit'] },
  'GET /api/changes': { roles: READERS, scopes: ['change:read'] },
  'GET /api/changes/{id}': { roles: READERS, scopes: ['change:read'] },
  'GET /api/changes/{id}/live': { roles: READERS, scopes: ['change:read'] },
  'GET /api/changes/{id}/timeline': { roles: READERS, scopes: ['change:read'] },
  'GET /api/changes/{id}/events': { roles: READERS, scopes: ['change:read'] },
  'POST /api/changes/{id}/decisions': { roles: VOTERS, keyRefusal: SOD_RULES.serviceAccountVote },
  'PUT /api/changes/{id}/plan': { roles: CHANGE_WRITERS },
  'POST /api/changes/{id}/steps/{stepId}/complete': { roles: ['release_engineer'], scopes: ['step:complete'] },
  'POST /api/changes/{id}/reschedule': { roles: CHANGE_WRITERS },
  'POST /api/changes/{id}/hold': { roles: ['change_manager'], keyRefusal: SOD_RULES.serviceAccountDecidesHold },
  'POST /api/changes/{id}/cancel': { roles: CHANGE_WRITERS },
  'POST /api/changes/{id}/review': { roles: ['change_manager', 'admin'] },
  'GET /api/changes/{id}/gate': { roles: READERS, scopes: ['gate:read'] },
  // A change whose workflow run was reset, terminated or replaced: a person decides its end.
  'POST /api/changes/{id}/settle': { roles: ['change_manager'], keyRefusal: 'a stuck change is settled by a change manager, never by a service account' },

  // Identity
  'GET /api/me': { roles: 'authenticated', scopes: ['change:submit', 'change:read', 'gate:read', 'step:complete'] },

  // Service accounts and their API keys
  'POST /api/service-accounts': { roles: ['admin'] },
  'GET /api/service-accounts': { roles: ['admin', 'auditor'] },
  'GET /api/service-accounts/{id}': { roles: ['admin', 'auditor'] },
  'POST /api/service-accounts/{id}/keys': { roles: ['admin'] },
  'DELETE /api/service-accounts/{id}/keys/{keyId}': { roles: ['admin'] },
  'POST /api/service-accounts/{id}/keys/{keyId}/revoke': { roles: ['admin'] },

  // CMDB
  'POST /api/cis': { roles: CMDB_WRITERS },
  'GET /api/cis': { roles: READERS },
  'GET /api/cis/{key}': { roles: READERS },
  'PATCH /api/cis/{key}': { roles: CMDB_WRITERS },
  'POST /api/cis/{key}/relationships': { roles: CMDB_WRITERS },
  'GET /api/cis/{key}/relationships': { roles: READERS },
  'DELETE /api/cis/{key}/relationships/{id}': { roles: CMDB_WRITERS },
  'GET /api/cis/{key}/impact': { roles: READERS },
  'POST /api/cmdb/discovery': { roles: CMDB_WRITERS },

  // Calendar
  'GET /api/calendar': { roles: READERS },
  'GET /api/calendar.ics': { roles: READERS },
  'GET /api/calendar/next-interval': { roles: READERS },
  'POST /api/maintenance-windows': { roles: CMDB_WRITERS },
  'GET /api/maintenance-windows': { roles: READERS },
  'GET /api/maintenance-windows/{id}': { roles: READERS },
  'DELETE /api/maintenance-windows/{id}': { roles: CMDB_WRITERS },
  'POST /api/freezes': { roles: CMDB_WRITERS },
  'GET /api/freezes': { roles: READERS },
  'GET /api/freezes/{id}': { roles: READERS },
  'DELETE /api/freezes/{id}': { roles: CMDB_WRITERS },

  // Incidents and alerts
  'POST /api/alerts/alertmanager': { roles: ['monitoring', 'service_desk', 'admin'] },
  'POST /api/incidents': { roles: RESPONDERS },
  'GET /api/incidents': { roles: READERS },
  'GET /api/incidents/{id}': { roles: READERS },
  'GET /api/incidents/{id}/timeline': { roles: READERS },
  'POST /api/incidents/{id}/acknowledge': { roles: RESPONDERS },
  'POST /api/incidents/{id}/assign': { roles: RESPONDERS },
  'POST /api/incidents/{id}/updates': { roles: RESPONDERS },
  'POST /api/incidents/{id}/pending': { roles: RESPONDERS },
  'POST /api/incidents/{id}/resume': { roles: RESPONDERS },
  'POST /api/incidents/{id}/resolve': { roles: RESPONDERS },
  'POST /api/incidents/{id}/review': { roles: RESPONDERS },
  'POST /api/incidents/{id}/close': { roles: RESPONDERS },
  'POST /api/incidents/{id}/reclassify': { roles: RESPONDERS },
  'POST /api/incidents/{id}/handover': { roles: RESPONDERS },
  'POST /api/incidents/{id}/handover/accept': { roles: RESPONDERS },

  // Problems and knowledge
  'POST /api/problems': { roles: PROBLEM_MANAGERS },
  'GET /api/problems': { roles: READERS },
  'GET /api/problems/{id}': { roles: READERS },
  'GET /api/problems/{id}/timeline': { roles: READERS },
  'POST /api/problems/{id}/investigate': { roles: PROBLEM_MANAGERS },
  'POST /api/problems/{id}/root-cause': { roles: PROBLEM_MANAGERS },
  'POST /api/problems/{id}/known-error': { roles: PROBLEM_MANAGERS },
  'POST /api/problems/{id}/fix': { roles: PROBLEM_MANAGERS },
  'POST /api/problems/{id}/actions/{actionId}/complete': { roles: PROBLEM_MANAGERS },
  'POST /api/problems/{id}/close': { roles: PROBLEM_MANAGERS },
  'GET /api/knowledge': { roles: READERS },
  'GET /api/knowledge/{id}': { roles: READERS },
  'POST /api/knowledge': { roles: ['problem_manager', 'service_desk', 'admin'] },

  // Audit, reports, notifications, service levels
  'GET /api/audit': { roles: AUDIT_READERS },
  'GET /api/audit/verify': { roles: AUDIT_READERS },
  'POST /api/audit/checkpoints': { roles: ['admin', 'auditor'] },
  'GET /api/audit/checkpoints': { roles: AUDIT_READERS },
  'GET /api/audit/checkpoints/public-key': { roles: AUDIT_READERS },
  'GET /api/audit/checkpoints/latest': { roles: AUDIT_READERS },
  'GET /api/reports/incidents': { roles: REPORT_READERS },
  'GET /api/reports/sla': { roles: REPORT_READERS },
  'GET /api/reports/changes': { roles: REPORT_READERS },
  'GET /api/reports/change-register': { roles: REPORT_READERS },
  // Temporal's remote codec protocol: who may read decrypted workflow histories.
  'POST /codec/decode': { roles: ['admin', 'auditor', 'change_manager'] },
  'POST /codec/encode': { roles: ['admin', 'auditor', 'change_manager'] },
  'GET /api/notifications': { roles: PEOPLE },
  'GET /api/notifications/deliveries': { roles: ['admin'] },
  'POST /api/notifications/{id}/read': { roles: PEOPLE },
  'GET /api/sla/definitions': { roles: READERS },
  'PUT /api/sla/definitions/{scope}/{priority}': { roles: SERVICE_LEVEL_OWNERS },
  'GET /api/escalation-policies': { roles: READERS },
  'POST /api/escalation-policies': { roles: SERVICE_LEVEL_OWNERS },
};

/** `/api/changes/:id/steps/:stepId/complete` (Express) → `/api/changes/{id}/steps/{stepId}/complete` (OpenAPI). */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function routeAccess(method: string, path: string): RouteAccess | undefined {
  return ACCESS_POLICY[`${method.toUpperCase()} ${openApiPath(path)}`];
}

// Object-level read rules
//
// People: every person with a reader role on the route reads every change, incident, problem,
// CI and calendar entry (a CAB member weighs other changes; a service desk agent sees every
// incident); audit entries only the audit readers above; a person's notifications are their own
// (the notification service filters by the caller).
// Service accounts read only changes, and only changes within their CIs (every CI of the change
// is one of the account's, when the account is restricted to CIs); they read no incident,
// problem, audit entry, CI or calendar (no scope maps to those routes).

/** Whether a service account may read or act on a change with these CIs. People: always. */
export function changeWithinReach(principal: Principal, changeCis: readonly string[]): boolean {
  const cis = principal.serviceAccount?.cis;
  if (!principal.serviceAccount || cis === null || cis === undefined) return true;
  return changeCis.length > 0 && changeCis.every((ci) => cis.includes(ci));
}

/** Whether a service account may ask the deployment gate about this CI. */
export function ciWithinReach(principal: Principal, ci: string): boolean {
  const cis = principal.serviceAccount?.cis;
  return !principal.serviceAccount || cis === null || cis === undefined || cis.includes(ci);
}
