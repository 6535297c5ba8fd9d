import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ProblemProcessOptions } from '@steward/config';
import {
  attachIncidentSignal,
  problemWorkflowDefinition,
  problemWorkflowId,
  reviewActionsSignal,
  type ProblemActionRecord,
  type ProblemIncidentLink,
  type ProblemSnapshot,
  type ProblemWorkflowInput,
  type ReviewAction,
  type ReviewActionsRequest,
} from '@steward/contracts';
import { StewardError, incidentSignature, isFinalChangeState } from '@steward/domain';
import type { ChangeState } from '@steward/contracts';
import { AuditLog, KnowledgeBaseService, Notifier, ProblemActionEntity, ProblemEntity, ProblemEventEntity, ProblemRecordsService, insertRows, toActionRecord, updateRows } from '@steward/persistence';
import { WorkflowLauncher } from '@steward/temporal';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';

/** Who hears about overdue review actions besides their owner. */
export const PROBLEM_MANAGERS_GROUP = 'group:problem-managers';

/**
 * Activities of problem management: the three the incident workflow calls to open problems and
 * hand over incidents and review actions, and those the problem workflow records through.
 * The problem workflow's records are written here; the problem rows the API shares go through
 * ProblemRecordsService. Idempotent under retries.
 */
@Injectable()
export class ProblemActivities {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly records: ProblemRecordsService,
    private readonly knowledge: KnowledgeBaseService,
    private readonly notifier: Notifier,
    private readonly client: Client,
    private readonly launcher: WorkflowLauncher,
    private readonly options: ProblemProcessOptions,
  ) {}

  // Called by the incident workflow

  /** A resolved P1/P2 opens a problem (principle 2), once: the trigger `incident:<id>` is unique while open. */
  async openProblemForMajorIncident(input: { incidentId: string }): Promise<{ problemId: string }> {
    const incident = await this.#incidentOf(input.incidentId);
    if (incident.problemId) {
      const existing = await this.records.find(incident.problemId);
      if (existing) {
        if (existing.state !== 'closed') await this.#signalWithStart(existing.id, existing.title, [{ incidentId: incident.id, recurrence: false }]);
        return { problemId: existing.id };
      }
    }
    const title = `Major incident ${incident.id}: ${incident.title}`;
    const { problemId } = await this.records.open({
      title,
      description: `Opened when ${incident.priority} incident ${incident.id} on ${incident.serviceKey} was resolved.\n\n${incident.description}`,
      createdBy: 'steward',
      trigger: { kind: 'major_incident', incidentId: incident.id, priority: incident.priority },
      openTrigger: `incident:${incident.id}`,
      signature: incidentSignature(incident.serviceKey, incident.category),
    });
    await this.records.linkIncident(problemId, incident.id, false);
    const problem = await this.records.get(problemId);
    await this.#signalWithStart(problemId, problem.title, [{ incidentId: incident.id, recurrence: false }]);
    return { problemId };
  }

  /**
   * An incident opened: it joins the open problem of its signature (a recurrence, which reopens
   * a problem under observation), or, as the N-th of its signature within the window, opens one.
   */
  async recordIncidentOccurrence(input: { incidentId: string }): Promise<{ problemId: string | null }> {
    const incident = await this.#incidentOf(input.incidentId);
    const signature = incidentSignature(incident.serviceKey, incident.category);
    if (!signature || !incident.category) return { problemId: null };

    const open = await this.records.openBySignature(signature);
    if (open) {
      await this.#signalWithStart(open.id, open.title, [{ incidentId: incident.id, recurrence: true }]);
      return { problemId: open.id };
    }

    const since = new Date(Date.now() - this.options.recurrenceWindowMs);
    const incidents = await this.records.incidentsOfSignature(incident.serviceKey, incident.category, since);
    if (!incidents.includes(incident.id)) incidents.push(incident.id);
    if (incidents.length < this.options.recurrenceCount) return { problemId: null };

    const title = `Recurring incidents on ${incident.serviceKey} (${incident.category})`;
    const { problemId } = await this.records.open({
      title,
      description: `${incidents.length} incidents of signature ${signature} within ${Math.round(this.options.recurrenceWindowMs / 60_000)} minutes: ${incidents.join(', ')}.`,
      createdBy: 'steward',
      trigger: { kind: 'recurrence', signature, incidents, windowMs: this.options.recurrenceWindowMs, count: this.options.recurrenceCount },
      openTrigger: `signature:${signature}`,
      signature,
    });
    const problem = await this.records.get(problemId);
    await this.#signalWithStart(
      problemId,
      problem.title,
      incidents.map((incidentId) => ({ incidentId, recurrence: true })),
    );
    return { problemId };
  }

  /** The post-incident review's actions go to the incident's problem, which tracks them to done. */
  async recordReviewActions(input: ReviewActionsRequest): Promise<void> {
    const bad = input.actions.filter((a) => !a.title?.trim() || !a.owner?.trim() || Number.isNaN(Date.parse(a.dueDate)));
    if (bad.length > 0) throw new StewardError('invalid', `review actions need a title, an owner and a due date: ${JSON.stringify(bad)}`);
    if (input.actions.length === 0) return;
    const incident = await this.#incidentOf(input.incidentId);
    let problemId = incident.problemId;
    // The review may come before the resolution that opens the problem: open it now.
    if (!problemId && incident.major) problemId = (await this.openProblemForMajorIncident({ incidentId: incident.id })).problemId;
    const problem = problemId ? await this.records.find(problemId) : null;
    // Never a failure for the incident, which waits on this call: actions no open problem can
    // take are kept in the audit log for a problem manager instead.
    if (!problem || problem.state === 'closed') {
      await this.records.unplacedActions(incident.id, problemId, input.actions);
      return;
    }
    try {
      await this.client.workflow.getHandle(problem.workflowId).signal(reviewActionsSignal, { incidentId: incident.id, actions: input.actions });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      await this.records.unplacedActions(incident.id, problemId, input.actions);
    }
  }

  // Called by the problem workflow

  async attachProblemIncident(input: { problemId: string; incidentId: string; recurrence: boolean }): Promise<void> {
    await this.records.linkIncident(input.problemId, input.incidentId, input.recurrence);
  }

  /**
   * One fact of the workflow, with the state it left the problem in. A retried write finds its
   * event key taken and changes nothing. Closing frees the trigger for a future problem.
   */
  async recordProblemFact(input: { problemId: string; eventKey: string; type: string; actor: string; data: Record<string, unknown>; snapshot: ProblemSnapshot }): Promise<void> {
    const { problemId, snapshot } = input;
    await this.db.transaction(async (tx) => {
      const fact = Object.assign(new ProblemEventEntity(), { problemId, eventKey: input.eventKey.slice(0, 100), at: new Date(), type: input.type, actor: input.actor, data: input.data });
      if ((await insertRows(tx, ProblemEventEntity, [fact], { ignoreConflicts: true })) === 0) return;
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
      await this.audit.append(tx, { entity: 'problem', entityId: problemId, action: `problem.${input.type}`, actor: input.actor, data: input.data });
    });
  }

  /** Stores a review's actions once (by position), returning them with their ids. */
  async saveProblemActions(input: { problemId: string; incidentId: string; actions: ReviewAction[] }): Promise<ProblemActionRecord[]> {
    const { problemId, incidentId } = input;
    await insertRows(
      this.db.manager,
      ProblemActionEntity,
      input.actions.map((a, position) =>
        Object.assign(new ProblemActionEntity(), { problemId, incidentId, position, title: a.title, owner: a.owner, dueAt: new Date(a.dueDate), state: 'open', doneAt: null, doneBy: null, escalatedAt: null }),
      ),
      { ignoreConflicts: true },
    );
    const rows = await this.db.getRepository(ProblemActionEntity).find({ where: { problemId, incidentId }, order: { position: 'ASC' } });
    return rows.map(toActionRecord);
  }

  async completeProblemAction(input: { problemId: string; actionId: string; actor: string; at: string }): Promise<void> {
    await this.db.query(`UPDATE problem_action SET state = 'done', done_at = $3, done_by = $4 WHERE problem_id = $1 AND id = $2 AND state = 'open'`, [input.problemId, input.actionId, new Date(input.at), input.actor]);
  }

  /** Principle 9: the workaround becomes a self-service article. */
  async publishKnownError(input: { problemId: string; title: string; workaround: string; rootCause: string | null; actor: string }): Promise<{ articleId: string }> {
    const body = [`Known error of problem ${input.problemId}.`, input.rootCause ? `Root cause: ${input.rootCause}` : '', `Workaround: ${input.workaround}`].filter(Boolean).join('\n\n');
    return { articleId: await this.knowledge.publishKnownError(input.problemId, input.title, body, input.actor) };
  }

  /** Where the fix change stands; `final` once its workflow has ended. */
  async fixChangeState(input: { changeId: string }): Promise<{ state: string | null; final: boolean }> {
    const [row] = (await this.db.query(`SELECT state FROM change_request WHERE id = $1`, [input.changeId])) as Array<{ state: string }>;
    const state = row?.state ?? null;
    return { state, final: state !== null && isFinalChangeState(state as ChangeState) };
  }

  async escalateOverdueAction(input: { problemId: string; action: ProblemActionRecord; at: string }): Promise<void> {
    const { problemId, action } = input;
    await this.notifier.notify({
      recipients: [`user:${action.owner}`, PROBLEM_MANAGERS_GROUP],
      kind: 'problem_action_overdue',
      message: `Action "${action.title}" of ${problemId} (owner ${action.owner}) was due ${action.dueAt} and is still open.`,
      problemId,
      dedupeKey: `problem-action-overdue:${problemId}:${action.id}`,
    });
    await this.db.query(`UPDATE problem_action SET escalated_at = $3 WHERE problem_id = $1 AND id = $2 AND escalated_at IS NULL`, [problemId, action.id, new Date(input.at)]);
  }

  // Helpers: ES private, so they are not on the prototype and never registered as activities.

  async #incidentOf(id: string) {
    const incident = await this.records.incident(id);
    if (!incident) throw new StewardError('not_found', `incident ${id} not found`);
    return incident;
  }

  /**
   * Starts the problem's workflow if it is not running and hands it the incidents. A problem
   * whose workflow has already ended (closed) is never started again. The problem's row is
   * never taken back: a failed start fails the activity, whose retry finds the same problem
   * (by its open trigger) and starts it then.
   */
  async #signalWithStart(problemId: string, title: string, links: ProblemIncidentLink[]): Promise<void> {
    const [first, ...rest] = links;
    const input: ProblemWorkflowInput = { problemId, title, settings: { observationMs: this.options.observationMs, fixPollMs: this.options.fixPollMs } };
    await this.launcher.signalWithStart(problemWorkflowDefinition, { workflowId: problemWorkflowId(problemId), input }, attachIncidentSignal, [first, ...rest]);
  }
}
