/**
 * Incident payloads shared by the API, the incident workflow and its activities. Instants are
 * ISO 8601 strings so every value survives workflow history and continue-as-new unchanged.
 */
import type {
  BusinessCalendar,
  CarriedIncidentState,
  EscalationPolicy,
  IncidentCaseFacts,
  IncidentClassification,
  IncidentProcessSettings,
  IncidentSlaTerms,
  IncidentSource,
  IncidentState,
  PendingHandover,
  Priority,
  SlaClock,
  SlaClockView,
  SlaTarget,
} from '@steward/domain';

// The incident vocabulary lives in libs/domain; these names stay importable from here.
export { INCIDENT_SOURCES, INCIDENT_STATES, incidentWorkflowId } from '@steward/domain';
export type { IncidentProcessSettings, IncidentSlaTerms, IncidentSource, IncidentState, PendingHandover, PostIncidentReview, ReviewAction, SlaClockView } from '@steward/domain';

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

/** How an incident workflow ends. */
export interface IncidentOutcome {
  state: IncidentState;
  problemId: string | null;
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

