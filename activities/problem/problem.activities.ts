import { Injectable } from '@nestjs/common';
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
import { KnowledgeBaseService, Notifier, ProblemRecordsService } from '@steward/persistence';
import { WorkflowLauncher } from '@steward/temporal';
import { Client, WorkflowNotFoundError } from '@temporalio/client';

/** Who hears about overdue review actions besides their owner. */
export const PROBLEM_MANAGERS_GROUP = 'group:problem-managers';

/**
 * Activities of problem management: the three the incident workflow calls to open problems and
 * hand over incidents and review actions, and those the problem workflow records through.
 * Thin over ProblemRecordsService; idempotent under retries.
 */
@Injectable()
export class ProblemActivities {
  constructor(
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
    const incident = await this.incidentOf(input.incidentId);
    if (incident.problemId) {
      const existing = await this.records.find(incident.problemId);
      if (existing) {
        if (existing.state !== 'closed') await this.signalWithStart(existing.id, existing.title, [{ incidentId: incident.id, recurrence: false }]);
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
    await this.signalWithStart(problemId, problem.title, [{ incidentId: incident.id, recurrence: false }]);
    return { problemId };
  }

  /**
   * An incident opened: it joins the open problem of its signature (a recurrence, which reopens
   * a problem under observation), or, as the N-th of its signature within the window, opens one.
   */
  async recordIncidentOccurrence(input: { incidentId: string }): Promise<{ problemId: string | null }> {
    const incident = await this.incidentOf(input.incidentId);
    const signature = incidentSignature(incident.serviceKey, incident.category);
    if (!signature || !incident.category) return { problemId: null };

    const open = await this.records.openBySignature(signature);
    if (open) {
      await this.signalWithStart(open.id, open.title, [{ incidentId: incident.id, recurrence: true }]);
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
    await this.signalWithStart(
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
    const incident = await this.incidentOf(input.incidentId);
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

  async recordProblemFact(input: { problemId: string; eventKey: string; type: string; actor: string; data: Record<string, unknown>; snapshot: ProblemSnapshot }): Promise<void> {
    await this.records.record(input.problemId, input.eventKey, { type: input.type, actor: input.actor, data: input.data }, input.snapshot);
  }

  async saveProblemActions(input: { problemId: string; incidentId: string; actions: ReviewAction[] }): Promise<ProblemActionRecord[]> {
    return this.records.saveActions(input.problemId, input.incidentId, input.actions);
  }

  async completeProblemAction(input: { problemId: string; actionId: string; actor: string; at: string }): Promise<void> {
    await this.records.completeAction(input.problemId, input.actionId, input.actor, new Date(input.at));
  }

  /** Principle 9: the workaround becomes a self-service article. */
  async publishKnownError(input: { problemId: string; title: string; workaround: string; rootCause: string | null; actor: string }): Promise<{ articleId: string }> {
    const body = [`Known error of problem ${input.problemId}.`, input.rootCause ? `Root cause: ${input.rootCause}` : '', `Workaround: ${input.workaround}`].filter(Boolean).join('\n\n');
    return { articleId: await this.knowledge.publishKnownError(input.problemId, input.title, body, input.actor) };
  }

  /** Where the fix change stands; `final` once its workflow has ended. */
  async fixChangeState(input: { changeId: string }): Promise<{ state: string | null; final: boolean }> {
    const state = await this.records.changeState(input.changeId);
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
    await this.records.markEscalated(problemId, action.id, new Date(input.at));
  }

  // Helpers

  private async incidentOf(id: string) {
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
  private async signalWithStart(problemId: string, title: string, links: ProblemIncidentLink[]): Promise<void> {
    const [first, ...rest] = links;
    const input: ProblemWorkflowInput = { problemId, title, settings: { observationMs: this.options.observationMs, fixPollMs: this.options.fixPollMs } };
    await this.launcher.signalWithStart(problemWorkflowDefinition, { workflowId: problemWorkflowId(problemId), input }, attachIncidentSignal, [first, ...rest]);
  }
}
