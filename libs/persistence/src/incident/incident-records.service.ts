import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IncidentSnapshot, IncidentState, PostIncidentReview } from '@steward/contracts';
import type { IncidentClassification, Priority } from '@steward/domain';
import { DataSource } from 'typeorm';
import { IncidentEventEntity } from './incident.entities';

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

/** The incident timeline as the API reads it; the incident workflow's activities write it. */
@Injectable()
export class IncidentRecordsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async timeline(incidentId: string): Promise<IncidentEventEntity[]> {
    return this.db.getRepository(IncidentEventEntity).find({ where: { incidentId }, order: { at: 'ASC', id: 'ASC' } });
  }
}
