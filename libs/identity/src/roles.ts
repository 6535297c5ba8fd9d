export const ROLES = [
  'requester',
  'cab_member',
  'change_manager',
  'release_engineer',
  'service_desk',
  'resolver',
  'incident_commander',
  'problem_manager',
  'service_owner',
  'auditor',
  'admin',
  // A monitoring system (Alertmanager): posting alerts is the only write any route grants it.
  'monitoring',
] as const;
export type Role = (typeof ROLES)[number];

/** Group names the default policies speak of; a CI's `ownerGroup` names groups like these. */
export const DEFAULT_GROUPS = {
  cab: 'cab',
  ecab: 'ecab',
  changeManagers: 'change-managers',
  serviceDesk: 'service-desk',
  dutyManagers: 'duty-managers',
} as const;

/** What a pipeline's API key may do; each route of the access policy names the scopes it accepts. */
export const API_KEY_SCOPES = ['change:submit', 'change:read', 'gate:read', 'step:complete'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The service account behind an API key: a pipeline, never a person. */
export interface ServiceAccountIdentity {
  accountId: string;
  keyId: string;
  scopes: ApiKeyScope[];
  /** CI keys the account is restricted to; null: any CI. */
  cis: string[] | null;
}

/** Who is calling, as the verified token says. Never taken from a request body. */
export interface Principal {
  id: string;
  name: string;
  roles: Role[];
  groups: string[];
  /** Set only for a caller that authenticated with an API key (`stw_...`). */
  serviceAccount?: ServiceAccountIdentity;
}

/** A service account's principal: approvers, implementers and hold deciders are people. */
export function isServiceAccount(principal: Pick<Principal, 'serviceAccount'>): boolean {
  return principal.serviceAccount !== undefined;
}

export function hasAnyRole(principal: Principal, roles: readonly Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}
