import { Injectable } from '@nestjs/common';
import type { IncidentEventRecord } from '@steward/contracts';
import { IncidentRecordsService, Notifier, type IncidentReadModelPatch } from '@steward/persistence';

/** Activities of the incident workflow: thin, all I/O, idempotent under retries. */
@Injectable()
export class IncidentActivities {
  constructor(
    private readonly records: IncidentRecordsService,
    private readonly notifier: Notifier,
  ) {}

  /** Appends facts (once each, by key) and brings the read model up to date. */
  async recordIncident(input: { incidentId: string; events: Array<Omit<IncidentEventRecord, 'incidentId'>>; patch?: IncidentReadModelPatch }): Promise<void> {
    await this.records.record(input.incidentId, input.events, input.patch);
  }

  /** In-app notifications and the webhook; delivery to the webhook never holds the workflow up. */
  async notifyIncident(input: { incidentId: string; recipients: string[]; kind: string; message: string; dedupeKey: string }): Promise<void> {
    await this.notifier.notify({ recipients: input.recipients, kind: input.kind, message: input.message, incidentId: input.incidentId, dedupeKey: input.dedupeKey });
  }
}
