import type { EscalationLevel, Priority } from '@steward/domain';
import { ConfigurationItemEntity, EscalationPolicyEntity, IncidentEventEntity, SlaDefinitionEntity } from '@steward/persistence';
import type { DataSource } from 'typeorm';

/** Short process timings for incident tests on the real dev server. */
export const TEST_INCIDENT_PROCESS = {
  commanderDeadlineMs: 2_000,
  stakeholderUpdateMs: { P1: 3_000, P2: 4_000 },
  handoverTimeoutMs: 2_000,
  dutyManagerGroup: 'duty-managers',
};

/** A service CI of its own, so each test controls the classification and the data in force. */
export async function addService(db: DataSource, key: string, criticality = 3, usersAffected = 10): Promise<string> {
  await db.getRepository(ConfigurationItemEntity).insert({ key, name: key, type: 'service', environment: 'production', criticality, ownerGroup: 'payments-team', usersAffected });
  return key;
}

export async function addEscalationPolicy(db: DataSource, service: string, levels: EscalationLevel[], repeat = 0, version = 1): Promise<void> {
  await db.query(`INSERT INTO escalation_policy (policy_id, version, name, service_key, levels, repeat, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'test')`, [
    `policy-${service}`,
    version,
    `Test policy for ${service}`,
    service,
    JSON.stringify(levels),
    repeat,
  ]);
}

export async function addSlaDefinition(db: DataSource, service: string, priority: Priority, responseMs: number | null, resolutionMs: number | null, businessHours = false): Promise<void> {
  await db.getRepository(SlaDefinitionEntity).insert({
    scope: service,
    priority,
    version: 1,
    responseMs: responseMs === null ? null : String(responseMs),
    resolutionMs: resolutionMs === null ? null : String(resolutionMs),
    businessHours,
    calendar: null,
    createdBy: 'test',
  });
}

export async function eventsOf(db: DataSource, incidentId: string): Promise<IncidentEventEntity[]> {
  return db.getRepository(IncidentEventEntity).find({ where: { incidentId }, order: { id: 'ASC' } });
}

export async function notificationsFor(db: DataSource, recipient: string, kind?: string): Promise<Array<{ recipient: string; kind: string; message: string }>> {
  return db.query(`SELECT recipient, kind, message FROM notification WHERE recipient = $1 ${kind ? 'AND kind = $2' : ''} ORDER BY id`, kind ? [recipient, kind] : [recipient]);
}
