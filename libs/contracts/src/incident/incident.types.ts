import type { BusinessCalendar, CarriedIncidentState, EscalationPolicy, IncidentClassification, Priority, SlaClock, SlaPause, SlaTarget } from '@steward/domain';

/**
 * Incident payloads shared by the API, the incident workflow and its activities. Instants are
 * ISO 8601 strings so every value survives workflow history and continue-as-new unchanged.
 */

export const INCIDENT_STATES = ['new', 'in_progress', 'pending', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** Where an incident came from. */
export const INCIDENT_SOURCES = ['api', 'alertmanager', 'failed_change', 'unauthorized_change'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

/** Who acted, as the API's verified token said. */
export interface IncidentActor {
  id: string;
  name: string;
}

/** The SLA a classification gives: both targets and the calendar business-hours targets run on. */
export interface IncidentSlaTerms {
  response: SlaTarget | null;
  resolution: SlaTarget | null;
  /** The service's calendar for business-hours targets; null: around the clock. */
  calendar: BusinessCalendar | null;
  /** Which definition gave them: `<service or default>/<priority>@<version>`. */
  definition: string;
}

/** Timings of the major-incident process; the defaults are in IncidentProcessOptions (API). */
export interface IncidentProcessSettings {
  /** A P1/P2 without a commander after this long is escalated to the duty managers. */
  commanderDeadlineMs: number;
  /** Stakeholder update cadence per major priority. */
  stakeholderUpdateMs: { P1: number; P2: number };
  /** A proposed handover not accepted within this is withdrawn; the commander stays. */
  handoverTimeoutMs: number;
  /** The group that hears about a missing commander (default `duty-managers`). */
  dutyManagerGroup: string;
}

/** One post-incident review action: owned by a person, due on a date. */
export interface ReviewAction {
  title: string;
  owner: string;
  /** ISO 8601 date or instant. */
  dueDate: string;
}

/** The blameless post-incident review of a P1/P2 (principle 8). */
export interface PostIncidentReview {
  timeline: Array<{ at: string; event: string }>;
  impact: string;
  contributingFactors: string[];
  whatWentWell: string[];
  actions: ReviewAction[];
  /** Optional narrative of the systemic root cause; never a person. */
  rootCause?: string;
}

export interface IncidentWorkflowInput {
  incidentId: string;
  title: string;
  service: string;
  category: string | null;
  source: IncidentSource;
  openedAt: string;
  classification: IncidentClassification;
  /** The policy in force when the incident opened: pinned for the incident's whole life. */
  escalationPolicy: EscalationPolicy;
  sla: IncidentSlaTerms;
  settings: IncidentProcessSettings;
  /** State carried over by continue-as-new (IncidentCase.carry()); absent on the first run. */
  carried?: CarriedIncidentState;
}

/** Everything a continued run needs to pick up where the last one stopped: IncidentCase makes it and reads it back. */
export type { IncidentCarriedState } from '@steward/domain';

export interface PendingHandover {
  from: string;
  to: string;
  proposedAt: string;
  expiresAt: string;
}

/** An SLA clock as shown: the facts and the figures computed from them at `asOf`. */
export interface SlaClockView {
  target: 'response' | 'resolution';
  /** null: the priority has no such target (P5); the clock still measures. */
  targetMs: number | null;
  businessHours: boolean;
  startedAt: string;
  stoppedAt: string | null;
  paused: boolean;
  elapsedMs: number;
  pausedMs: number;
  remainingMs: number | null;
  dueAt: string | null;
  breached: boolean;
  pauses: SlaPause[];
}

/** What the incident workflow answers to a query: its live state. */
export interface IncidentSnapshot {
  incidentId: string;
  state: IncidentState;
  priority: Priority;
  major: boolean;
  classification: IncidentClassification;
  commander: string | null;
  resolvers: string[];
  acknowledgedBy: string | null;
  escalation: { policy: string; version: number; level: number; round: number; exhausted: boolean };
  sla: { response: SlaClockView | null; resolution: SlaClockView | null; definition: string };
  /**
   * The clocks' facts. A query answers at the time of the workflow's last task, so readers that
   * show remaining time recompute the figures from these at their own "now" (slaClockView).
   */
  clocks?: { response: SlaClock; resolution: SlaClock };
  handover: PendingHandover | null;
  stakeholderUpdates: { dueAt: string | null; missed: number; cadenceMs: number | null };
  reviewRequired: boolean;
  reviewRecorded: boolean;
  problemId: string | null;
  asOf: string;
}

/** A fact of the incident's life, appended to `incident_event` (SLA reports read only these). */
export interface IncidentEventRecord {
  incidentId: string;
  /** Unique per incident: a retried activity writes the same key and nothing twice. */
  eventKey: string;
  type: string;
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

export function incidentWorkflowId(incidentId: string): string {
  return `incident-${incidentId}`;
}

