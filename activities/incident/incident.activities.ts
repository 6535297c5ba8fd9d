import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IncidentEventRecord } from '@steward/contracts';
import { AuditLog, IncidentEntity, IncidentEventEntity, Notifier, insertRows, updateRows, type IncidentReadModelPatch } from '@steward/persistence';
import { DataSource } from 'typeorm';

/** Activities of the incident workflow: all I/O, idempotent under retries. */
@Injectable()
export class IncidentActivities {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly notifier: Notifier,
  ) {}

  /**
   * Appends facts to the append-only event log (each once, by its key, so a retried activity
   * writes nothing twice), the new ones to the audit chain, and brings the read model up to
   * date. One transaction, so a fact and the row that shows it never disagree.
   */
  async recordIncident(input: { incidentId: string; events: Array<Omit<IncidentEventRecord, 'incidentId'>>; patch?: IncidentReadModelPatch }): Promise<void> {
    const { incidentId, events, patch = {} } = input;
    await this.db.transaction(async (tx) => {
      const fresh: Array<Omit<IncidentEventRecord, 'incidentId'>> = [];
      for (const event of events) {
        const inserted = await insertRows(
          tx,
          IncidentEventEntity,
          [Object.assign(new IncidentEventEntity(), { incidentId, eventKey: event.eventKey, type: event.type, actor: event.actor, at: new Date(event.at), data: event.data })],
          { ignoreConflicts: true },
        );
        if (inserted > 0) fresh.push(event);
      }
      if (fresh.length > 0) {
        await this.audit.append(
          tx,
          fresh.map((e) => ({ entity: 'incident', entityId: incidentId, action: `incident.${e.type}`, actor: e.actor, data: e.data, at: new Date(e.at) })),
        );
      }
      const values: Partial<IncidentEntity> = {};
      for (const [key, value] of Object.entries(patch) as Array<[keyof IncidentReadModelPatch, unknown]>) {
        if (value === undefined) continue;
        (values as Record<string, unknown>)[key] = key === 'acknowledgedAt' || key === 'resolvedAt' || key === 'closedAt' ? new Date(value as string) : value;
      }
      if (Object.keys(values).length > 0) await updateRows(tx, IncidentEntity, { id: incidentId }, values);
    });
  }

  /** In-app notifications and the webhook; delivery to the webhook never holds the workflow up. */
  async notifyIncident(input: { incidentId: string; recipients: string[]; kind: string; message: string; dedupeKey: string }): Promise<void> {
    await this.notifier.notify({ recipients: input.recipients, kind: input.kind, message: input.message, incidentId: input.incidentId, dedupeKey: input.dedupeKey });
  }
}
