import type { DataSource } from 'typeorm';
import { MaintenanceWindowEntity } from '../calendar/calendar.entities';
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

/**
 * Two scoped maintenance windows: payments (every CI tagged pci) on Sunday nights in Paris, the
 * intranet on weekday evenings in London. No unscoped window: that would confine every CI.
 */
export const DEMO_MAINTENANCE_WINDOWS: Array<Pick<MaintenanceWindowEntity, 'name' | 'rrule' | 'durationMinutes' | 'timezone' | 'scopeCis' | 'scopeTags'>> = [
  {
    name: 'Payments Sunday night',
    rrule: 'DTSTART;TZID=Europe/Paris:20260104T010000\nRRULE:FREQ=WEEKLY;BYDAY=SU',
    durationMinutes: 240,
    timezone: 'Europe/Paris',
    scopeCis: [],
    scopeTags: ['pci'],
  },
  {
    name: 'Intranet weekday evening',
    rrule: 'DTSTART;TZID=Europe/London:20260105T190000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
    durationMinutes: 120,
    timezone: 'Europe/London',
    scopeCis: ['svc-intranet'],
    scopeTags: [],
  },
];

/**
 * Idempotent: seeding twice, or over data a user changed, changes nothing that exists. A demo
 * window is only added while no window of its name exists. Returns the number of CIs added.
 */
export async function seedDemoData(db: DataSource): Promise<number> {
  const added = await insertRows(db.manager, ConfigurationItemEntity, DEMO_CONFIGURATION_ITEMS as ConfigurationItemEntity[], { ignoreConflicts: true });
  for (const window of DEMO_MAINTENANCE_WINDOWS) {
    await db.query(
      `INSERT INTO maintenance_window (name, rrule, duration_minutes, timezone, scope_cis, scope_tags, created_by)
       SELECT $1::varchar, $2::text, $3::int, $4::varchar, $5::text[], $6::text[], 'steward-demo'
        WHERE NOT EXISTS (SELECT 1 FROM maintenance_window WHERE name = $1::varchar)`,
      [window.name, window.rrule, window.durationMinutes, window.timezone, window.scopeCis, window.scopeTags],
    );
  }
  return added;
}
