import type { ProblemActionRecord, ProblemIncidentLink, ProblemSnapshot, ProblemState } from './problem-vocabulary';

/** Why a message is refused, in the words the API answers with (400/404/409). */
export interface ProblemRefusal {
  code: 'invalid' | 'not_found' | 'conflict';
  message: string;
}

/** One fact to put on the problem's timeline. */
export interface ProblemFact {
  type: string;
  data: Record<string, unknown>;
}

/** Where a problem manager may close by hand: a known error may be accepted without a fix. */
const CLOSABLE: readonly ProblemState[] = ['known_error', 'resolved', 'observation'];
/** Where a fix change may be linked: the root cause is known. */
const FIXABLE: readonly ProblemState[] = ['investigating', 'known_error'];

// JSON, not structuredClone: the workflow sandbox is a bare V8 context.
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const blank = (value: string | undefined | null): boolean => !value || !value.trim();

/**
 * The state machine of one problem, as its workflow holds it. Pure: the workflow supplies the
 * time and records each returned fact through an activity. `*Refusal` methods answer what an
 * update validator needs; the matching command assumes it was asked first.
 */
export class ProblemLifecycle {
  private constructor(private s: ProblemSnapshot) {}

  static open(problemId: string): ProblemLifecycle {
    return new ProblemLifecycle({
      problemId,
      state: 'new',
      owner: null,
      rcaMethod: null,
      findings: null,
      rootCause: null,
      workaround: null,
      knownErrorArticleId: null,
      fixChangeId: null,
      observationUntil: null,
      resolvedAt: null,
      closedAt: null,
      reopenReason: null,
      incidents: [],
      actions: [],
    });
  }

  static resume(snapshot: ProblemSnapshot): ProblemLifecycle {
    return new ProblemLifecycle(copy(snapshot));
  }

  get state(): ProblemState {
    return this.s.state;
  }

  get isClosed(): boolean {
    return this.s.state === 'closed';
  }

  get fixChangeId(): string | null {
    return this.s.fixChangeId;
  }

  get observationUntil(): string | null {
    return this.s.observationUntil;
  }

  snapshot(): ProblemSnapshot {
    return copy(this.s);
  }

  openActions(): ProblemActionRecord[] {
    return this.s.actions.filter((a) => a.state === 'open');
  }

  private move(to: ProblemState, data: Record<string, unknown> = {}): ProblemFact {
    const from = this.s.state;
    this.s.state = to;
    return { type: to, data: { from, ...data } };
  }

  private closedRefusal(): ProblemRefusal | undefined {
    return this.isClosed ? { code: 'conflict', message: `problem ${this.s.problemId} is closed` } : undefined;
  }

  // Incidents and review actions

  /** Links an incident; a recurrence while the fix is being watched reopens the investigation. */
  attach(link: ProblemIncidentLink): ProblemFact[] {
    if (this.isClosed || this.s.incidents.some((i) => i.incidentId === link.incidentId)) return [];
    this.s.incidents.push({ incidentId: link.incidentId, recurrence: link.recurrence });
    const facts: ProblemFact[] = [{ type: 'incident_attached', data: { ...link } }];
    if (link.recurrence && (this.s.state === 'resolved' || this.s.state === 'observation')) {
      const reason = `incident ${link.incidentId} recurred during ${this.s.state}`;
      this.s.reopenReason = reason;
      this.s.observationUntil = null;
      this.s.resolvedAt = null;
      facts.push(this.move('investigating', { reason }));
    }
    return facts;
  }

  hasActionsFor(incidentId: string): boolean {
    return this.s.actions.some((a) => a.incidentId === incidentId);
  }

  addActions(actions: ProblemActionRecord[]): ProblemFact[] {
    const fresh = actions.filter((a) => !this.s.actions.some((known) => known.id === a.id));
    if (this.isClosed || fresh.length === 0) return [];
    this.s.actions.push(...fresh.map((a) => ({ ...a })));
    return [{ type: 'actions_recorded', data: { incidentId: fresh[0].incidentId, actions: fresh.map((a) => ({ id: a.id, title: a.title, owner: a.owner, dueAt: a.dueAt })) } }];
  }

  completeActionRefusal(actionId: string): ProblemRefusal | undefined {
    const closed = this.closedRefusal();
    if (closed) return closed;
    const action = this.s.actions.find((a) => a.id === actionId);
    if (!action) return { code: 'not_found', message: `problem ${this.s.problemId} has no action ${actionId}` };
    if (action.state === 'done') return { code: 'conflict', message: `action ${actionId} was already done by ${action.doneBy}` };
    return undefined;
  }

  completeAction(actionId: string, by: string, at: Date): ProblemFact {
    const action = this.s.actions.find((a) => a.id === actionId)!;
    action.state = 'done';
    action.doneAt = at.toISOString();
    action.doneBy = by;
    return { type: 'action_done', data: { actionId, title: action.title } };
  }

  /** Open actions past their due date that nobody has been told about yet. */
  overdueActions(now: Date): ProblemActionRecord[] {
    return this.openActions().filter((a) => !a.escalatedAt && Date.parse(a.dueAt) <= now.getTime());
  }

  /** When the next open action falls due (escalation is once per action). */
  nextActionDue(): number | undefined {
    const due = this.openActions()
      .filter((a) => !a.escalatedAt)
      .map((a) => Date.parse(a.dueAt));
    return due.length > 0 ? Math.min(...due) : undefined;
  }

  markEscalated(actionId: string, at: Date): ProblemFact {
    const action = this.s.actions.find((a) => a.id === actionId)!;
    action.escalatedAt = at.toISOString();
    return { type: 'action_overdue', data: { actionId, title: action.title, owner: action.owner, dueAt: action.dueAt } };
  }

  // Investigation

  investigateRefusal(input: { owner?: string; rcaMethod?: string }): ProblemRefusal | undefined {
    const closed = this.closedRefusal();
    if (closed) return closed;
    if (blank(input.owner) || blank(input.rcaMethod)) return { code: 'invalid', message: 'an investigation needs an owner and an RCA method' };
    if (this.s.state !== 'new' && this.s.state !== 'investigating') {
      return { code: 'conflict', message: `problem ${this.s.problemId} is ${this.s.state}: it is past the investigation` };
    }
    return undefined;
  }

  investigate(input: { owner: string; rcaMethod: string }): ProblemFact {
    this.s.owner = input.owner;
    this.s.rcaMethod = input.rcaMethod;
    if (this.s.state === 'investigating') return { type: 'investigation_assigned', data: { owner: input.owner, rcaMethod: input.rcaMethod } };
    return this.move('investigating', { owner: input.owner, rcaMethod: input.rcaMethod });
  }

  rootCauseRefusal(input: { rcaMethod?: string; findings?: string; rootCause?: string }): ProblemRefusal | undefined {
    const closed = this.closedRefusal();
    if (closed) return closed;
    if (blank(input.findings) || blank(input.rootCause)) return { code: 'invalid', message: 'a root cause needs findings and the root cause' };
    if (this.s.state !== 'investigating') {
      return { code: 'conflict', message: `problem ${this.s.problemId} is ${this.s.state}: a root cause is recorded while investigating (assign an owner first)` };
    }
    if (blank(input.rcaMethod) && blank(this.s.rcaMethod)) return { code: 'invalid', message: 'name the RCA method used' };
    return undefined;
  }

  recordRootCause(input: { rcaMethod?: string; findings: string; rootCause: string }): ProblemFact {
    if (!blank(input.rcaMethod)) this.s.rcaMethod = input.rcaMethod!;
    this.s.findings = input.findings;
    this.s.rootCause = input.rootCause;
    return { type: 'root_cause_recorded', data: { rcaMethod: this.s.rcaMethod, findings: input.findings, rootCause: input.rootCause } };
  }

  knownErrorRefusal(input: { workaround?: string }): ProblemRefusal | undefined {
    const closed = this.closedRefusal();
    if (closed) return closed;
    if (blank(input.workaround)) return { code: 'invalid', message: 'a known error needs its workaround' };
    if (this.s.state !== 'investigating') return { code: 'conflict', message: `problem ${this.s.problemId} is ${this.s.state}: only a problem under investigation becomes a known error` };
    if (blank(this.s.rootCause)) return { code: 'conflict', message: `record the root cause of ${this.s.problemId} before declaring a known error` };
    return undefined;
  }

  declareKnownError(input: { workaround: string; articleId: string }): ProblemFact {
    this.s.workaround = input.workaround;
    this.s.knownErrorArticleId = input.articleId;
    return this.move('known_error', { articleId: input.articleId });
  }

  // Fix

  fixRefusal(input: { changeId?: string }): ProblemRefusal | undefined {
    const closed = this.closedRefusal();
    if (closed) return closed;
    if (blank(input.changeId)) return { code: 'invalid', message: 'a fix names its change' };
    if (!FIXABLE.includes(this.s.state)) return { code: 'conflict', message: `problem ${this.s.problemId} is ${this.s.state}: a fix is linked to a known error or an investigation with its root cause` };
    if (blank(this.s.rootCause)) return { code: 'conflict', message: `record the root cause of ${this.s.problemId} before linking a fix` };
    return undefined;
  }

  startFix(changeId: string): ProblemFact {
    this.s.fixChangeId = changeId;
    this.s.reopenReason = null;
    return this.move('fix_in_progress', { changeId });
  }

  /** The fix change ended: completed resolves the problem, any other end reopens the investigation. */
  fixEnded(changeState: string, at: Date): ProblemFact {
    const changeId = this.s.fixChangeId;
    if (changeState === 'completed') {
      this.s.resolvedAt = at.toISOString();
      return this.move('resolved', { changeId, changeState });
    }
    const reason = `fix change ${changeId} ended ${changeState}`;
    this.s.reopenReason = reason;
    this.s.fixChangeId = null;
    return this.move('investigating', { changeId, changeState, reason });
  }

  /** A resolved problem is watched for recurrence before it may close on its own. */
  observe(until: Date): ProblemFact {
    this.s.observationUntil = until.toISOString();
    return this.move('observation', { until: this.s.observationUntil });
  }

  // Closure

  closeRefusal(): ProblemRefusal | undefined {
    const closed = this.closedRefusal();
    if (closed) return closed;
    if (!CLOSABLE.includes(this.s.state)) return { code: 'conflict', message: `problem ${this.s.problemId} is ${this.s.state}: it closes from known_error, resolved or observation` };
    const open = this.openActions();
    if (open.length > 0) {
      const names = open.map((a) => `${a.id} "${a.title}" (${a.owner}, due ${a.dueAt})`).join('; ');
      return { code: 'conflict', message: `problem ${this.s.problemId} has open actions: ${names}` };
    }
    return undefined;
  }

  /** Observation is over and nothing is left to do: the problem closes on its own. */
  closesOnItsOwn(now: Date): boolean {
    return this.s.state === 'observation' && this.s.observationUntil !== null && Date.parse(this.s.observationUntil) <= now.getTime() && this.openActions().length === 0;
  }

  close(at: Date, reason: string): ProblemFact {
    this.s.closedAt = at.toISOString();
    return this.move('closed', { reason });
  }
}
