import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ProblemActionRecord, ProblemSnapshot, ReviewAction } from '@steward/contracts';
import { StewardError, formatProblemId } from '@steward/domain';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { insertRows, updateRows } from '../insert-rows';
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
 * The problem read model and its timeline, as the problem workflow and the API write them.
 * Every write is idempotent, because activities run at least once.
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

  /**
   * One fact of the workflow, with the state it left the problem in. A retried write finds its
   * event key taken and changes nothing. Closing frees the trigger for a future problem.
   */
  async record(problemId: string, eventKey: string, fact: { type: string; actor: string; data: Record<string, unknown> }, snapshot: ProblemSnapshot): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await this.event(tx, problemId, eventKey, fact.type, fact.actor, fact.data))) return;
      const date = (value: string | null) => (value ? new Date(value) : null);
      await updateRows(tx, ProblemEntity, { id: problemId }, {
        state: snapshot.state,
        owner: snapshot.owner,
        rcaMethod: snapshot.rcaMethod,
        findings: snapshot.findings,
        rootCause: snapshot.rootCause,
        workaround: snapshot.workaround,
        knownErrorArticleId: snapshot.knownErrorArticleId,
        fixChangeId: snapshot.fixChangeId,
        reopenReason: snapshot.reopenReason,
        resolvedAt: date(snapshot.resolvedAt),
        observationUntil: date(snapshot.observationUntil),
        closedAt: date(snapshot.closedAt),
        ...(snapshot.state === 'closed' ? { openTrigger: null } : {}),
      });
      await this.audit.append(tx, { entity: 'problem', entityId: problemId, action: `problem.${fact.type}`, actor: fact.actor, data: fact.data });
    });
  }

  /** Stores a review's actions once (by position), returning them with their ids. */
  async saveActions(problemId: string, incidentId: string, actions: ReviewAction[]): Promise<ProblemActionRecord[]> {
    await insertRows(
      this.db.manager,
      ProblemActionEntity,
      actions.map((a, position) =>
        Object.assign(new ProblemActionEntity(), { problemId, incidentId, position, title: a.title, owner: a.owner, dueAt: new Date(a.dueDate), state: 'open', doneAt: null, doneBy: null, escalatedAt: null }),
      ),
      { ignoreConflicts: true },
    );
    const rows = await this.db.getRepository(ProblemActionEntity).find({ where: { problemId, incidentId }, order: { position: 'ASC' } });
    return rows.map(toActionRecord);
  }

  /** Review actions that reached no open problem: kept where a problem manager will find them. */
  async unplacedActions(incidentId: string, problemId: string | null, actions: ReviewAction[]): Promise<void> {
    await this.audit.record({ entity: 'incident', entityId: incidentId, action: 'problem.review_actions_unplaced', actor: 'steward', data: { problemId, actions } });
  }

  async completeAction(problemId: string, actionId: string, by: string, at: Date): Promise<void> {
    await this.db.query(`UPDATE problem_action SET state = 'done', done_at = $3, done_by = $4 WHERE problem_id = $1 AND id = $2 AND state = 'open'`, [problemId, actionId, at, by]);
  }

  async markEscalated(problemId: string, actionId: string, at: Date): Promise<void> {
    await this.db.query(`UPDATE problem_action SET escalated_at = $3 WHERE problem_id = $1 AND id = $2 AND escalated_at IS NULL`, [problemId, actionId, at]);
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

  /** The state of a fix change, as its workflow last recorded it. */
  async changeState(changeId: string): Promise<string | null> {
    const [row] = (await this.db.query(`SELECT state FROM change_request WHERE id = $1`, [changeId])) as Array<{ state: string }>;
    return row?.state ?? null;
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
