import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ProblemActionRecord, ReviewAction } from '@steward/contracts';
import { StewardError, formatProblemId } from '@steward/domain';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { insertRows } from '../insert-rows';
import { IncidentEntity } from '../incident/incident.entities';
import { ProblemActionEntity, ProblemEntity, ProblemEventEntity, ProblemIncidentEntity } from './problem.entities';

export interface OpenProblemInput {
  title: string;
  description: string;
  createdBy: string;
  trigger: Record<string, unknown>;
  /** `incident:<id>` or `signature:<sig>`: a second open for it returns the first problem. */
  openTrigger?: string;
  signature?: string | null;
}

/**
 * The problem rows the API and the problem activities share: opening (once per trigger),
 * links to incidents, and the reads. What the problem workflow records is written by its
 * activities (activities/problem). Every write is idempotent: activities run at least once.
 */
@Injectable()
export class ProblemRecordsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async find(id: string): Promise<ProblemEntity | null> {
    return this.db.getRepository(ProblemEntity).findOne({ where: { id } });
  }

  async get(id: string): Promise<ProblemEntity> {
    const problem = await this.find(id);
    if (!problem) throw new StewardError('not_found', `problem ${id} not found`);
    return problem;
  }

  /**
   * Opens a problem, or returns the open one for the same trigger. The unique open_trigger
   * decides between racing callers: the loser's insert does nothing and it reads the winner's row.
   */
  async open(input: OpenProblemInput): Promise<{ problemId: string; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const [{ number }] = (await tx.query(`SELECT nextval('problem_number_seq')::int AS number`)) as Array<{ number: number }>;
      const id = formatProblemId(number);
      const now = new Date();
      const inserted = (await tx.query(
        `INSERT INTO problem (id, number, title, description, state, signature, trigger, open_trigger, created_by, workflow_id, opened_at)
         VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10)
         ON CONFLICT (open_trigger) DO NOTHING RETURNING id`,
        [id, number, input.title.slice(0, 200), input.description, input.signature ?? null, JSON.stringify(input.trigger), input.openTrigger ?? null, input.createdBy, `problem-${id}`, now],
      )) as Array<{ id: string }>;
      if (inserted.length === 0) {
        const [existing] = (await tx.query(`SELECT id FROM problem WHERE open_trigger = $1`, [input.openTrigger])) as Array<{ id: string }>;
        if (!existing) throw new Error(`problem for ${input.openTrigger} closed while it was being opened; retry`);
        return { problemId: existing.id, created: false };
      }
      await this.event(tx, id, 'opened', 'opened', input.createdBy, { trigger: input.trigger, title: input.title }, now);
      await this.audit.append(tx, { entity: 'problem', entityId: id, action: 'problem.opened', actor: input.createdBy, data: { trigger: input.trigger, title: input.title } });
      return { problemId: id, created: true };
    });
  }

  /** Takes back a problem whose workflow could not be started; the audit log keeps both facts. */
  async withdraw(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(ProblemEventEntity, { problemId: id });
      await tx.delete(ProblemIncidentEntity, { problemId: id });
      await tx.delete(ProblemEntity, { id, state: 'new' });
      await this.audit.append(tx, { entity: 'problem', entityId: id, action: 'problem.withdrawn', actor: 'steward', data: { reason: 'workflow could not be started' } });
    });
  }

  /** The not-closed problem gathering incidents of this signature, if any. */
  async openBySignature(signature: string): Promise<ProblemEntity | null> {
    return this.db
      .getRepository(ProblemEntity)
      .createQueryBuilder('p')
      .where('p.signature = :signature', { signature })
      .andWhere(`p.state <> 'closed'`)
      .orderBy('p.opened_at', 'ASC')
      .getOne();
  }

  async linkIncident(problemId: string, incidentId: string, recurrence: boolean): Promise<void> {
    await this.db.transaction(async (tx) => {
      await insertRows(tx, ProblemIncidentEntity, [Object.assign(new ProblemIncidentEntity(), { problemId, incidentId, recurrence })], { ignoreConflicts: true });
      // An incident names the first problem that took it; a later one still lists it.
      await tx.query(`UPDATE incident SET problem_id = $1, updated_at = now() WHERE id = $2 AND problem_id IS NULL`, [problemId, incidentId]);
    });
  }

  private async event(tx: EntityManager, problemId: string, eventKey: string, type: string, actor: string, data: Record<string, unknown>, at = new Date()): Promise<boolean> {
    const inserted = await insertRows(tx, ProblemEventEntity, [Object.assign(new ProblemEventEntity(), { problemId, eventKey: eventKey.slice(0, 100), at, type, actor, data })], { ignoreConflicts: true });
    return inserted > 0;
  }

  /** Review actions that reached no open problem: kept where a problem manager will find them. */
  async unplacedActions(incidentId: string, problemId: string | null, actions: ReviewAction[]): Promise<void> {
    await this.audit.record({ entity: 'incident', entityId: incidentId, action: 'problem.review_actions_unplaced', actor: 'steward', data: { problemId, actions } });
  }

  async actions(problemId: string): Promise<ProblemActionEntity[]> {
    return this.db.getRepository(ProblemActionEntity).find({ where: { problemId }, order: { id: 'ASC' } });
  }

  async incidents(problemId: string): Promise<ProblemIncidentEntity[]> {
    return this.db.getRepository(ProblemIncidentEntity).find({ where: { problemId }, order: { linkedAt: 'ASC' } });
  }

  async timeline(problemId: string): Promise<ProblemEventEntity[]> {
    return this.db.getRepository(ProblemEventEntity).find({ where: { problemId }, order: { at: 'ASC', id: 'ASC' } });
  }

  async incident(id: string): Promise<IncidentEntity | null> {
    return this.db.getRepository(IncidentEntity).findOne({ where: { id } });
  }

  /** Incidents of one signature opened since `since`, oldest first. */
  async incidentsOfSignature(serviceKey: string, category: string, since: Date): Promise<string[]> {
    const rows = (await this.db.query(`SELECT id FROM incident WHERE service_key = $1 AND category = $2 AND opened_at >= $3 ORDER BY opened_at, id`, [serviceKey, category, since])) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

}

export function toActionRecord(row: ProblemActionEntity): ProblemActionRecord {
  return {
    id: String(row.id),
    incidentId: row.incidentId,
    title: row.title,
    owner: row.owner,
    dueAt: row.dueAt.toISOString(),
    state: row.state,
    ...(row.doneAt ? { doneAt: row.doneAt.toISOString() } : {}),
    ...(row.doneBy ? { doneBy: row.doneBy } : {}),
    ...(row.escalatedAt ? { escalatedAt: row.escalatedAt.toISOString() } : {}),
  };
}
