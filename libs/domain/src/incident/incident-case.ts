import type { IncidentSlaTerms, IncidentState, PendingHandover, PostIncidentReview, ReviewAction, SlaClockView } from './incident-vocabulary';
import { StewardError } from '../steward-error';
import {
  NO_TARGET_MS,
  SLA_KINDS,
  firstState,
  resumedState,
  type CarriedIncidentState,
  type IncidentCarriedState,
  type IncidentCaseFacts,
  type IncidentStart,
} from './incident-case-state';
import type { IncidentClassification, Priority } from './priority';
import { blameFindings } from './review';
import { dueAt, elapsed, isPaused, pause, pausedMs, resume, retarget, stop, type SlaClock, type SlaTargetKind } from './sla-clock';
import { slaClockView } from './sla-clock-view';

export type { CarriedIncidentState, IncidentCarriedState, IncidentCaseFacts, IncidentStart } from './incident-case-state';
export { SLA_KINDS } from './incident-case-state';

/**
 * The rules of handling one incident: who may act when, and what each act changes. Each `may…`
 * throws a StewardError ('conflict', 'invalid' or 'forbidden') saying why an act is refused; the
 * act itself assumes its check passed (the workflow checks in the update validator, so a refused
 * message never enters history, and applies in the handler). It holds everything a run carries
 * over (people, state, review, classification, SLA clocks and breaches, escalation and
 * stakeholder-update progress, problem link, event numbering); the timers that move it are the
 * workflow's.
 */
export class IncidentCase {
  private constructor(
    readonly incidentId: string,
    private readonly s: IncidentCarriedState,
  ) {}

  /** A new incident, as it opens. */
  static open(start: IncidentStart): IncidentCase {
    return new IncidentCase(start.incidentId, firstState(start));
  }

  /** The incident a previous run carried over (see resumedState for what an older run lacks). */
  static resume(start: IncidentStart, carried: CarriedIncidentState): IncidentCase {
    return new IncidentCase(start.incidentId, resumedState(start, carried));
  }

  /** The state to hand to the next run: one value, a copy. */
  carry(): IncidentCarriedState {
    return { ...this.s, handling: this.toFacts(), clocks: { ...this.s.clocks }, breaches: this.s.breaches.map((b) => ({ ...b })) };
  }

  private get facts(): IncidentCaseFacts {
    return this.s.handling;
  }

  get state(): IncidentState {
    return this.facts.state;
  }
  get commander(): string | null {
    return this.facts.commander;
  }
  get resolvers(): readonly string[] {
    return this.facts.resolvers;
  }
  get handover(): PendingHandover | null {
    return this.facts.handover;
  }
  get acknowledgedBy(): string | null {
    return this.facts.acknowledgedBy;
  }
  get review(): PostIncidentReview | null {
    return this.facts.review;
  }
  get reviewRequired(): boolean {
    return this.facts.reviewRequired;
  }
  /** Resolved or closed: the incident's clocks and escalations are over. */
  get settled(): boolean {
    return this.facts.state === 'resolved' || this.facts.state === 'closed';
  }

  /** A copy of the facts, to carry over or to show. */
  toFacts(): IncidentCaseFacts {
    return { ...this.facts, resolvers: [...this.facts.resolvers] };
  }

  /** Acts on an incident that is still being worked (not resolved, not closed). */
  mayAct(): void {
    if (this.settled) throw new StewardError('conflict', `incident ${this.incidentId} is ${this.facts.state}`);
  }

  /** The first acknowledgement counts; later ones change nothing. Returns whether this one counted. */
  acknowledge(by: string, at: Date): boolean {
    if (this.facts.acknowledgedBy) return false;
    this.facts.acknowledgedBy = by;
    this.facts.acknowledgedAt = at.toISOString();
    if (this.facts.state === 'new') this.facts.state = 'in_progress';
    return true;
  }

  /** A sitting commander changes only by handover; the commander is never one of the resolvers (principle 7). */
  mayAssign(next: { commander?: string; resolvers?: string[] }): void {
    this.mayAct();
    const { commander } = this.facts;
    if (next.commander && commander && next.commander !== commander) {
      throw new StewardError('conflict', `${commander} is in command: command passes by handover (propose it; ${next.commander} accepts)`);
    }
    const who = next.commander ?? commander;
    const team = next.resolvers ?? this.facts.resolvers;
    if (who && team.includes(who)) throw new StewardError('invalid', `the incident commander may not be a resolver: ${who} is both`);
  }

  assign(next: { commander?: string; resolvers?: string[] }): void {
    if (next.resolvers) this.facts.resolvers = [...new Set(next.resolvers)];
    if (next.commander) this.facts.commander = next.commander;
  }

  mayPend(): void {
    this.mayAct();
    if (this.facts.state === 'pending') throw new StewardError('conflict', `incident ${this.incidentId} is already pending`);
  }

  /** Pending a third party: the running clocks pause, with the reason and who. */
  pend(at: Date, reason: string, by: string): void {
    this.facts.stateBeforePending = this.facts.state;
    this.facts.state = 'pending';
    for (const kind of SLA_KINDS) if (this.clock(kind).stoppedAt === null) this.s.clocks[kind] = pause(this.clock(kind), at, reason, by);
  }

  mayResume(): void {
    if (this.facts.state !== 'pending') throw new StewardError('conflict', `incident ${this.incidentId} is ${this.facts.state}, not pending`);
  }

  resume(at: Date, by: string): void {
    this.facts.state = this.facts.stateBeforePending ?? 'in_progress';
    this.facts.stateBeforePending = null;
    this.resumeClocks(at, by);
  }

  private resumeClocks(at: Date, by: string): void {
    for (const kind of SLA_KINDS) if (this.clock(kind).stoppedAt === null && isPaused(this.clock(kind), at)) this.s.clocks[kind] = resume(this.clock(kind), at, by);
  }

  mayResolve(): void {
    this.mayAct();
  }

  /** Resolved (a pending incident's clocks resume first); a major incident now owes its blameless review before it may close. */
  resolve(resolution: string, at: Date, by: string): void {
    if (this.facts.state === 'pending') this.resumeClocks(at, by);
    this.facts.state = 'resolved';
    this.facts.stateBeforePending = null;
    this.facts.resolution = resolution;
    this.facts.reviewRequired = this.major;
  }

  /** Once resolved, once only, and blameless (principle 8): no statement may name a person as the cause. */
  mayRecordReview(review: PostIncidentReview): void {
    if (this.facts.state !== 'resolved') {
      throw new StewardError('conflict', `a post-incident review is recorded once the incident is resolved; ${this.incidentId} is ${this.facts.state}`);
    }
    if (this.facts.review) throw new StewardError('conflict', `incident ${this.incidentId} already has its post-incident review`);
    const people = [this.facts.commander, ...this.facts.resolvers, this.facts.acknowledgedBy].filter((p): p is string => !!p);
    const blame = blameFindings(review, people);
    if (blame.length > 0) throw new StewardError('invalid', blame.map((f) => `${f.field}: ${f.message}`).join('; '));
  }

  recordReview(review: PostIncidentReview): void {
    this.facts.review = review;
  }

  /** `priority` names the incident in the refusal ("a P1 incident needs its review"). */
  mayClose(priority: string): void {
    if (this.facts.state !== 'resolved') throw new StewardError('conflict', `incident ${this.incidentId} is ${this.facts.state}: only a resolved incident can be closed`);
    if (this.facts.reviewRequired && !this.facts.review) {
      throw new StewardError('conflict', `a ${priority} incident needs its blameless post-incident review before it is closed`);
    }
  }

  close(): void {
    this.facts.state = 'closed';
  }

  mayProposeHandover(by: string, to: string): void {
    this.mayAct();
    const { commander, handover } = this.facts;
    if (!commander) throw new StewardError('conflict', `incident ${this.incidentId} has no commander to hand over from: assign one`);
    if (by !== commander) throw new StewardError('forbidden', `only the incident commander (${commander}) hands command over`);
    if (to === commander) throw new StewardError('invalid', `${to} is already the commander`);
    if (this.facts.resolvers.includes(to)) throw new StewardError('invalid', `the incident commander may not be a resolver: ${to} is a resolver`);
    if (handover) throw new StewardError('conflict', `a handover to ${handover.to} is already waiting for acceptance`);
  }

  proposeHandover(by: string, to: string, at: Date, timeoutMs: number): PendingHandover {
    this.facts.handover = { from: by, to, proposedAt: at.toISOString(), expiresAt: new Date(at.getTime() + timeoutMs).toISOString() };
    return this.facts.handover;
  }

  mayAcceptHandover(by: string): void {
    this.mayAct();
    const { handover } = this.facts;
    if (!handover) throw new StewardError('conflict', `no handover is waiting on incident ${this.incidentId}`);
    if (handover.to !== by) throw new StewardError('forbidden', `the handover was proposed to ${handover.to}, not ${by}`);
    if (this.facts.resolvers.includes(by)) throw new StewardError('invalid', `the incident commander may not be a resolver: ${by} is a resolver`);
  }

  /** Command changes hands in one step, so there is never a moment without a commander. Returns who handed over. */
  acceptHandover(by: string): string | null {
    const from = this.facts.commander;
    this.facts.commander = by;
    this.facts.handover = null;
    return from;
  }

  /** Withdraws `waiting` if it is still the one pending; the commander stays. Returns whether it was. */
  expireHandover(waiting: PendingHandover): boolean {
    if (this.facts.handover !== waiting) return false;
    this.facts.handover = null;
    return true;
  }

  // ─── Classification ───────────────────────────────────────────────────────────────────────

  get classification(): IncidentClassification {
    return this.s.classification;
  }
  get priority(): Priority {
    return this.s.classification.priority;
  }
  get major(): boolean {
    return this.s.classification.major;
  }
  get slaTerms(): IncidentSlaTerms {
    return this.s.sla;
  }
  get closed(): boolean {
    return this.facts.state === 'closed';
  }

  /** Any incident but a closed one may be re-classified. */
  mayReclassify(): void {
    if (this.closed) throw new StewardError('conflict', `incident ${this.incidentId} is closed`);
  }

  /**
   * New priority, new SLA terms. The clocks keep their start and pause ledger and take the new
   * targets (GLPI 6902, 15605); an incident that becomes major starts its major-incident process
   * now. Returns the priority it had.
   */
  reclassify(next: IncidentClassification, terms: IncidentSlaTerms, at: Date): Priority {
    const from = this.priority;
    const wasMajor = this.major;
    this.s.classification = next;
    this.s.sla = terms;
    for (const kind of SLA_KINDS) {
      const target = terms[kind];
      this.s.clocks[kind] = retarget(this.clock(kind), target?.targetMs ?? NO_TARGET_MS, target?.businessHours ? terms.calendar : null);
    }
    if (this.major && !wasMajor) {
      this.s.majorSince = at.toISOString();
      this.s.stakeholderAnchor = this.s.majorSince;
      this.s.commanderEscalated = false;
    }
    return from;
  }

  // ─── SLA clocks ───────────────────────────────────────────────────────────────────────────

  clock(kind: SlaTargetKind): SlaClock {
    return this.s.clocks[kind]!;
  }

  /** Whether the clock has breached at the current priority (a re-classification measures afresh). */
  breached(kind: SlaTargetKind): boolean {
    return this.s.breaches.some((b) => b.target === kind && b.priority === this.priority);
  }

  clockView(kind: SlaTargetKind, now: Date): SlaClockView {
    return slaClockView(this.clock(kind), this.s.sla[kind] !== null, this.breached(kind), now);
  }

  /** When the clock breaches if nothing changes; null when it has no target or has breached already. */
  breachDue(kind: SlaTargetKind, now: Date): Date | null {
    return this.s.sla[kind] && !this.breached(kind) ? dueAt(this.clock(kind), now) : null;
  }

  recordBreach(kind: SlaTargetKind): void {
    this.s.breaches.push({ target: kind, priority: this.priority });
  }

  /** Stops a running clock and returns the `sla_stopped` fact; null if it had stopped already. */
  stopClock(kind: SlaTargetKind, at: Date): Record<string, unknown> | null {
    if (this.clock(kind).stoppedAt !== null) return null;
    const clock = (this.s.clocks[kind] = stop(this.clock(kind), at));
    return { target: kind, priority: this.priority, targetMs: this.s.sla[kind]?.targetMs ?? null, elapsedMs: elapsed(clock, at), pausedMs: pausedMs(clock, at), breached: this.breached(kind) };
  }

  // ─── Escalation ───────────────────────────────────────────────────────────────────────────

  /** How many notifications of the escalation plan have gone out. */
  get escalationNotified(): number {
    return this.s.escalationNotified;
  }
  get escalationExhausted(): boolean {
    return this.s.escalationExhausted;
  }
  /** Nobody needs paging any more: someone acknowledged, or it is resolved. */
  get escalationAnswered(): boolean {
    return this.facts.acknowledgedBy !== null || this.settled;
  }
  escalated(notified: number): void {
    this.s.escalationNotified = notified;
  }
  exhaustEscalation(): void {
    this.s.escalationExhausted = true;
  }

  // ─── Major incident: commander and stakeholder updates ────────────────────────────────────

  get majorSince(): string | null {
    return this.s.majorSince;
  }
  /** A major incident without a commander whose duty managers have not yet heard of it. */
  get awaitsCommander(): boolean {
    return this.major && !this.facts.commander && !this.s.commanderEscalated;
  }
  commanderDeadlineMissed(): void {
    this.s.commanderEscalated = true;
  }
  get stakeholderAnchor(): string | null {
    return this.s.stakeholderAnchor;
  }
  get missedUpdates(): number {
    return this.s.missedUpdates;
  }
  stakeholderUpdatePosted(at: Date): void {
    this.s.stakeholderAnchor = at.toISOString();
  }
  /** Silence is itself a fact: the next update is due a cadence after the one missed. */
  stakeholderUpdateMissed(due: Date): void {
    this.s.missedUpdates++;
    this.s.stakeholderAnchor = due.toISOString();
  }

  // ─── Problem ──────────────────────────────────────────────────────────────────────────────

  get problemId(): string | null {
    return this.s.problemId;
  }
  linkProblem(problemId: string): void {
    this.s.problemId = problemId;
  }
  /** The review's actions, once, when both the review and the problem exist. */
  get reviewActionsDue(): boolean {
    return this.facts.review !== null && !this.s.actionsSent && this.s.problemId !== null;
  }
  reviewActionsSent(): ReviewAction[] {
    this.s.actionsSent = true;
    return this.facts.review?.actions ?? [];
  }

  /** Numbers the next recorded fact. */
  nextEventNumber(): number {
    return ++this.s.sequence;
  }
  get eventNumber(): number {
    return this.s.sequence;
  }
}
