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

/** Who is calling, as the verified token says. Never taken from a request body. */
export interface Principal {
  id: string;
  name: string;
  roles: Role[];
  groups: string[];
}

export function hasAnyRole(principal: Principal, roles: readonly Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}
