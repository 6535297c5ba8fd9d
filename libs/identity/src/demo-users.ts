import type { Principal } from './roles';

/** The people of the demo data, one per part they play. */
export const DEMO_USERS: Record<string, Principal> = {
  requester: { id: 'alice', name: 'Alice Requester', roles: ['requester', 'release_engineer'], groups: ['payments-team'] },
  cabMember: { id: 'bob', name: 'Bob CAB', roles: ['cab_member'], groups: ['cab', 'ecab', 'payments-team'] },
  cabMember2: { id: 'carol', name: 'Carol CAB', roles: ['cab_member'], groups: ['cab', 'dba', 'platform', 'workplace'] },
  changeManager: { id: 'dave', name: 'Dave Change Manager', roles: ['change_manager', 'cab_member'], groups: ['cab', 'ecab', 'change-managers'] },
  releaseEngineer: { id: 'erin', name: 'Erin Release Engineer', roles: ['release_engineer'], groups: ['platform'] },
  auditor: { id: 'frank', name: 'Frank Auditor', roles: ['auditor'], groups: [] },
  admin: { id: 'grace', name: 'Grace Admin', roles: ['admin'], groups: [] },
  serviceDesk: { id: 'heidi', name: 'Heidi Service Desk', roles: ['service_desk'], groups: ['service-desk'] },
  resolver: { id: 'ivan', name: 'Ivan Resolver', roles: ['resolver'], groups: ['payments-team'] },
  commander: { id: 'judy', name: 'Judy Incident Commander', roles: ['incident_commander'], groups: ['duty-managers'] },
  commander2: { id: 'ken', name: 'Ken Incident Commander', roles: ['incident_commander', 'resolver'], groups: ['duty-managers'] },
  problemManager: { id: 'lena', name: 'Lena Problem Manager', roles: ['problem_manager'], groups: ['problem-managers'] },
  monitoring: { id: 'alertmanager', name: 'Alertmanager', roles: ['monitoring'], groups: [] },
};
