/**
 * The words of incident management: states, sources, the post-incident review and the views
 * the incident's rules hand out. Instants are ISO 8601 strings so every value survives workflow
 * history and continue-as-new unchanged.
 */
import type { BusinessCalendar } from './business-calendar';
import type { SlaPause, SlaTarget } from './sla-clock';

export const INCIDENT_STATES = ['new', 'in_progress', 'pending', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** Where an incident came from. */
export const INCIDENT_SOURCES = ['api', 'alertmanager', 'failed_change', 'unauthorized_change'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

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

/** Timings of the major-incident process: parsed from the configuration, passed at start. */
export interface IncidentProcessSettings {
  /** A P1/P2 without a commander after this long is escalated to the duty managers. */
  commanderDeadlineMs: number;
  /** Stakeholder update cadence per major priority (30 min for P1, 60 min for P2 by default). */
  stakeholderUpdateMs: { P1: number; P2: number };
  /** A proposed handover not accepted within this is withdrawn; the commander stays. */
  handoverTimeoutMs: number;
  /** The group that hears about a missing commander (default `duty-managers`). */
  dutyManagerGroup: string;
}

export function incidentWorkflowId(incidentId: string): string {
  return `incident-${incidentId}`;
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
