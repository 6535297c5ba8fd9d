import type { DataSource } from 'typeorm';
import { ConfigurationItemEntity } from '../cmdb/configuration-item.entity';
import { insertRows } from '../insert-rows';

/** A small estate to try Steward on: a payments service and what it stands on, plus an intranet. */
export const DEMO_CONFIGURATION_ITEMS: Array<Partial<ConfigurationItemEntity> & { key: string }> = [
  { key: 'svc-payments', name: 'Payments', type: 'service', environment: 'production', criticality: 1, ownerGroup: 'payments-team', usersAffected: 12000, version: '2026.11', tags: ['pci', 'customer-facing'] },
  { key: 'app-payments-api', name: 'Payments API', type: 'application', environment: 'production', criticality: 1, ownerGroup: 'payments-team', usersAffected: 0, version: '4.12.0', tags: ['pci'] },
  { key: 'db-payments', name: 'Payments database', type: 'database', environment: 'production', criticality: 1, ownerGroup: 'dba', usersAffected: 0, version: 'PostgreSQL 15.8', tags: ['pci'] },
  { key: 'host-web-01', name: 'Web host 01', type: 'host', environment: 'production', criticality: 2, ownerGroup: 'platform', usersAffected: 0, version: 'Debian 12.7', tags: ['linux'] },
  { key: 'svc-intranet', name: 'Intranet', type: 'service', environment: 'production', criticality: 3, ownerGroup: 'workplace', usersAffected: 800, version: '7.2', tags: ['internal'] },
  { key: 'app-payments-api-staging', name: 'Payments API (staging)', type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'payments-team', usersAffected: 0, version: '4.13.0-rc.1', tags: ['pci'] },
];

/** Idempotent: seeding twice, or over data a user changed, changes nothing that exists. */
export async function seedDemoData(db: DataSource): Promise<number> {
  return insertRows(db.manager, ConfigurationItemEntity, DEMO_CONFIGURATION_ITEMS as ConfigurationItemEntity[], { ignoreConflicts: true });
}
