import type { IncidentState, PendingHandover, PostIncidentReview } from './incident-vocabulary';
import { StewardError } from '../steward-error';
import { blameFindings } from './review';

/** The facts of an incident's handling that its rules decide on; JSON-safe, carried over by continue-as-new. */
export interface IncidentCaseFacts {
  state: IncidentState;
  /** Where a pending incident returns to on resume. */
  stateBeforePending: IncidentState | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  commander: string | null;
  resolvers: string[];
  handover: PendingHandover | null;
  review: PostIncidentReview | null;
  /** Set when a major incident (P1/P2) is resolved: it may not close without its review. */
  reviewRequired: boolean;
  resolution: string | null;
}

const INITIAL: IncidentCaseFacts = {
  state: 'new',
  stateBeforePending: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  commander: null,
  resolvers: [],
  handover: null,
  review: null,
  reviewRequired: false,
  resolution: null,
};

/**
 * The rules of handling one incident: who may act when, and what each act changes. Each `may…`
 * throws a StewardError ('conflict', 'invalid' or 'forbidden') saying why an act is refused; the
 * act itself assumes its check passed (the workflow checks in the update validator, so a refused
 * message never enters history, and applies in the handler). Timers and SLA clocks are the
 * workflow's; this class only knows the people, the state and the review.
 */
export class IncidentCase {
  private facts: IncidentCaseFacts;

  constructor(
    readonly incidentId: string,
    facts: Partial<IncidentCaseFacts> = {},
  ) {
    this.facts = { ...INITIAL, ...facts, resolvers: [...(facts.resolvers ?? [])] };
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

  pend(): void {
    this.facts.stateBeforePending = this.facts.state;
    this.facts.state = 'pending';
  }

  mayResume(): void {
    if (this.facts.state !== 'pending') throw new StewardError('conflict', `incident ${this.incidentId} is ${this.facts.state}, not pending`);
  }

  resume(): void {
    this.facts.state = this.facts.stateBeforePending ?? 'in_progress';
    this.facts.stateBeforePending = null;
  }

  mayResolve(): void {
    this.mayAct();
  }

  /** Resolved; a major incident now owes its blameless review before it may close. */
  resolve(resolution: string, major: boolean): void {
    this.facts.state = 'resolved';
    this.facts.stateBeforePending = null;
    this.facts.resolution = resolution;
    this.facts.reviewRequired = major;
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
}
