import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IncidentEventRecord, IncidentSnapshot, IncidentState, PostIncidentReview } from '@steward/contracts';
import type { IncidentClassification, Priority } from '@steward/domain';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { insertRows, updateRows } from '../insert-rows';
import { IncidentEntity, IncidentEventEntity } from './incident.entities';

/** The read-model columns the incident workflow keeps current. */
export interface IncidentReadModelPatch {
  state?: IncidentState;
  priority?: Priority;
  major?: boolean;
  impact?: number;
  urgency?: number;
  classification?: IncidentClassification;
  commander?: string | null;
  resolvers?: string[];
  escalationLevel?: number;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  resolution?: string;
  review?: PostIncidentReview;
  problemId?: string;
  snapshot?: IncidentSnapshot;
}

/**
 * Writes what the incident workflow decided: facts to the append-only event log (each once,
 * by its key, so retried activities write nothing twice), the same facts to the audit chain,
 * and the read model. One transaction, so a fact and the row that shows it never disagree.
 */
@Injectable()
export class IncidentRecordsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async record(incidentId: string, events: Omit<IncidentEventRecord, 'incidentId'>[], patch: IncidentReadModelPatch = {}): Promise<void> {
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

  async timeline(incidentId: string): Promise<IncidentEventEntity[]> {
    return this.db.getRepository(IncidentEventEntity).find({ where: { incidentId }, order: { at: 'ASC', id: 'ASC' } });
  }
}
