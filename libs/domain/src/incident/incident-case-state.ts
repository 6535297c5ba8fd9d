import type { IncidentSlaTerms, IncidentState, PendingHandover, PostIncidentReview } from './incident-vocabulary';
import type { IncidentClassification, Priority } from './priority';
import { startClock, type SlaClock, type SlaTargetKind } from './sla-clock';

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

/**
 * Everything one run of an incident hands to the next on continue-as-new: one JSON-safe value,
 * made by IncidentCase.carry() and read back by IncidentCase.resume(). A new piece of state is
 * a field here and its first value in `firstState`; a run carried by an older version, which
 * lacks it, resumes with that first value.
 */
export interface IncidentCarriedState {
  /** The handling facts (state, people, review). */
  handling: IncidentCaseFacts;
  classification: IncidentClassification;
  sla: IncidentSlaTerms;
  clocks: { response: SlaClock | null; resolution: SlaClock | null };
  breaches: Array<{ target: SlaTargetKind; priority: Priority }>;
  /** How many notifications of the escalation plan have gone out. */
  escalationNotified: number;
  escalationExhausted: boolean;
  /** The duty managers have heard that the major incident has no commander. */
  commanderEscalated: boolean;
  majorSince: string | null;
  /** When the last stakeholder update was posted (or was due): the next one is due a cadence later. */
  stakeholderAnchor: string | null;
  missedUpdates: number;
  /** The review's actions went to the problem. */
  actionsSent: boolean;
  problemId: string | null;
  /** Events recorded so far: event keys continue from here. */
  sequence: number;
}

/** What an incident opens with (the workflow's input has these). */
export interface IncidentStart {
  incidentId: string;
  openedAt: string;
  classification: IncidentClassification;
  sla: IncidentSlaTerms;
}

/** A carried state as an older run may have written it: any field may be missing. */
export type CarriedIncidentState = Partial<Omit<IncidentCarriedState, 'handling' | 'clocks'>> & {
  handling?: Partial<IncidentCaseFacts>;
  clocks?: Partial<IncidentCarriedState['clocks']>;
};

export const SLA_KINDS: readonly SlaTargetKind[] = ['response', 'resolution'];

// A clock whose priority has no target (P5) still measures, so a re-classification to a
// priority with a target carries its elapsed and paused time over; it just never breaches.
export const NO_TARGET_MS = 100 * 365 * 86_400_000;

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

export function firstState(start: IncidentStart): IncidentCarriedState {
  const clock = (kind: SlaTargetKind): SlaClock => {
    const target = start.sla[kind];
    return startClock({ target: kind, targetMs: target?.targetMs ?? NO_TARGET_MS, calendar: target?.businessHours ? start.sla.calendar : null, startedAt: new Date(start.openedAt) });
  };
  const majorSince = start.classification.major ? start.openedAt : null;
  return {
    handling: { ...INITIAL },
    classification: start.classification,
    sla: start.sla,
    clocks: { response: clock('response'), resolution: clock('resolution') },
    breaches: [],
    escalationNotified: 0,
    escalationExhausted: false,
    commanderEscalated: false,
    majorSince,
    stakeholderAnchor: majorSince,
    missedUpdates: 0,
    actionsSent: false,
    problemId: null,
    sequence: 0,
  };
}

/**
 * The state a previous run carried over. What it lacks (or holds as null) takes its first value,
 * so a run carried by an older version resumes too.
 */
export function resumedState(start: IncidentStart, carried: CarriedIncidentState): IncidentCarriedState {
  const first = firstState({ ...start, classification: carried.classification ?? start.classification, sla: carried.sla ?? start.sla });
  const state: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(carried)) if (value !== null && value !== undefined) state[key] = value;
  const s = state as unknown as IncidentCarriedState;
  s.handling = { ...INITIAL, ...carried.handling, resolvers: [...(carried.handling?.resolvers ?? [])] };
  s.clocks = { response: carried.clocks?.response ?? first.clocks.response, resolution: carried.clocks?.resolution ?? first.clocks.resolution };
  s.breaches = [...s.breaches];
  if (carried.stakeholderAnchor == null) s.stakeholderAnchor = s.majorSince;
  return s;
}
