import { ApplicationFailure, allHandlersFinished, condition, proxyActivities } from '@temporalio/workflow';
import type { ActivityInterfaceOf, IncidentActivities, ProblemActivities } from '@steward/activities';
import type { IncidentEventRecord, IncidentSnapshot, IncidentWorkflowInput } from '@steward/contracts';
import { IncidentCase, StewardError, escalationPlan, type EscalationNotification } from '@steward/domain';

// ─── Activities ──────────────────────────────────────────────────────────────────────────────

const records = proxyActivities<ActivityInterfaceOf<IncidentActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// Notifications are written to the in-app list and an outbox that the worker delivers to the
// webhook on its own schedule; a failure here is retried a while and then given up, never
// holding the incident.
const notifications = proxyActivities<ActivityInterfaceOf<IncidentActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** The problem context's activities the incident uses: recurrences, the major incident's problem, review actions. */
export const problems = proxyActivities<ActivityInterfaceOf<ProblemActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export const SYSTEM = 'steward';
const FREQUENT_FACTS = new Set(['escalated', 'escalation_exhausted', 'sla_breached', 'sla_stopped', 'stakeholder_update', 'stakeholder_update_missed', 'note']);

type ReadModelPatch = Parameters<IncidentActivities['recordIncident']>[0]['patch'];

/** A duration as people say it: `15 min`, `2 s`, `1 h 30 min`. */
export function spoken(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/** Turns IncidentCase's refusal into the update's rejection; a refused message never enters history. */
export function check(rule: () => void): void {
  try {
    rule();
  } catch (error) {
    if (error instanceof StewardError) throw ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: true });
    throw error;
  }
}

/**
 * One run of an incident: its case (the rules and everything a run carries over), its pinned
 * escalation plan, and the workflow's means of acting — facts recorded in the order they
 * happened, notifications that never hold the incident up, the snapshot the query shows, and
 * a version the timer loops watch to recompute their deadlines.
 */
export class IncidentRun {
  readonly incident: IncidentCase;
  readonly plan: EscalationNotification[];
  /** Bumped whenever something a timer waits on changes: the timer loops recompute their deadline. */
  version = 0;
  private recording: Promise<void> = Promise.resolve();
  private unwritten = 0;
  private readonly pendingNotifications = new Set<Promise<void>>();

  constructor(readonly input: IncidentWorkflowInput) {
    this.incident = input.carried ? IncidentCase.resume(input, input.carried) : IncidentCase.open(input);
    this.plan = escalationPlan(input.escalationPolicy, new Date(input.openedAt));
  }

  get settings(): IncidentWorkflowInput['settings'] {
    return this.input.settings;
  }

  changed(): void {
    this.version++;
  }

  /** Records a fact after the ones before it; the promise settles once it is written. */
  record(type: string, actor: string, data: Record<string, unknown> = {}, patch: ReadModelPatch = {}): Promise<void> {
    const sequence = this.incident.nextEventNumber();
    // The opening fact is dated when the incident was reported, which is when its clocks started.
    const at = type === 'opened' ? this.input.openedAt : new Date().toISOString();
    const event: Omit<IncidentEventRecord, 'incidentId'> = { eventKey: type === 'opened' ? 'opened' : `${sequence}:${type}`, type, actor, at, data };
    // The read model's snapshot is what GET shows once the workflow has ended; the frequent,
    // timer-driven facts leave it out, which keeps the history (and its replay) small.
    const snapshot = FREQUENT_FACTS.has(type) ? undefined : this.snapshot();
    const { incidentId } = this.input;
    this.unwritten++;
    this.recording = this.recording.then(() => records.recordIncident({ incidentId, events: [event], patch: snapshot ? { ...patch, snapshot } : patch }));
    // Counted on a branch of its own: the chain the handlers await keeps its timing.
    this.recording.then(this.written, this.written);
    return this.recording;
  }

  private readonly written = (): void => {
    this.unwritten--;
  };

  notify(recipients: string[], kind: string, message: string, dedupeKey: string): void {
    const { incidentId, title } = this.input;
    const sent = notifications
      .notifyIncident({ incidentId, recipients, kind, message: `${incidentId} ${this.incident.priority} "${title}": ${message}`, dedupeKey: `${incidentId}:${dedupeKey}` })
      .catch(() => undefined)
      .finally(() => this.pendingNotifications.delete(sent));
    this.pendingNotifications.add(sent);
  }

  commanderOrDutyManagers(): string[] {
    return this.incident.commander ? [`user:${this.incident.commander}`] : [`group:${this.settings.dutyManagerGroup}`];
  }

  /** Waits until `deadline` unless `done` turns true first; says whether it did. */
  async waitUntil(deadline: number, done: () => boolean): Promise<boolean> {
    const ms = deadline - Date.now();
    return ms > 0 ? condition(done, ms) : done();
  }

  /**
   * A run ends (or hands over) only once nothing is in flight: an update handler still running
   * would be cut off and its caller left without an answer; a fact or a notification scheduled
   * late, by a handler or a timer, would be lost.
   */
  async quiet(): Promise<void> {
    await condition(() => allHandlersFinished() && this.unwritten === 0 && this.pendingNotifications.size === 0);
    await this.recording;
  }

  /** The query's answer, and the read model's copy. */
  snapshot(): IncidentSnapshot {
    const { incident, settings } = this;
    const now = new Date();
    const cadence = incident.major ? settings.stakeholderUpdateMs[incident.priority as 'P1' | 'P2'] : null;
    const step = this.plan[incident.escalationNotified - 1];
    const anchor = incident.stakeholderAnchor;
    return {
      incidentId: this.input.incidentId,
      state: incident.state,
      priority: incident.priority,
      major: incident.major,
      classification: incident.classification,
      commander: incident.commander,
      resolvers: [...incident.resolvers],
      acknowledgedBy: incident.acknowledgedBy,
      escalation: {
        policy: this.input.escalationPolicy.id,
        version: this.input.escalationPolicy.version,
        level: step?.level ?? 0,
        round: step?.round ?? 0,
        exhausted: incident.escalationExhausted,
      },
      sla: { response: incident.clockView('response', now), resolution: incident.clockView('resolution', now), definition: incident.slaTerms.definition },
      clocks: { response: incident.clock('response'), resolution: incident.clock('resolution') },
      handover: incident.handover,
      stakeholderUpdates: {
        dueAt: cadence !== null && anchor && !incident.settled ? new Date(Date.parse(anchor) + cadence).toISOString() : null,
        missed: incident.missedUpdates,
        cadenceMs: cadence,
      },
      reviewRequired: incident.reviewRequired,
      reviewRecorded: incident.review !== null,
      problemId: incident.problemId,
      asOf: now.toISOString(),
    };
  }
}
