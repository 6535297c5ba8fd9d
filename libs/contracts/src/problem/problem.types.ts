/**
 * Problem payloads shared by the API, the problem workflow and its activities. Instants are
 * ISO 8601 strings so every value survives workflow history and continue-as-new unchanged.
 */

export const PROBLEM_STATES = ['new', 'investigating', 'known_error', 'fix_in_progress', 'resolved', 'observation', 'closed'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

export const PROBLEM_ACTION_STATES = ['open', 'done'] as const;
export type ProblemActionState = (typeof PROBLEM_ACTION_STATES)[number];

export const KNOWLEDGE_ARTICLE_KINDS = ['known_error', 'article'] as const;
export type KnowledgeArticleKind = (typeof KNOWLEDGE_ARTICLE_KINDS)[number];

/** Who acted, as the API's verified token said. */
export interface ProblemActor {
  id: string;
  name: string;
}

/** Timings of the problem process; the defaults are in ProblemProcessOptions (libs/config). */
export interface ProblemProcessSettings {
  observationMs: number;
  fixPollMs: number;
}

export interface ProblemIncidentLink {
  incidentId: string;
  /** Attached as a repeat of the problem's signature rather than as its trigger. */
  recurrence: boolean;
}

/** A post-incident review action the problem keeps until it is done. */
export interface ProblemActionRecord {
  /** The problem_action row id. */
  id: string;
  incidentId: string;
  title: string;
  owner: string;
  dueAt: string;
  state: ProblemActionState;
  doneAt?: string;
  doneBy?: string;
  escalatedAt?: string;
}

/** The review actions of one incident, as the incident workflow hands them over. */
export interface ReviewActionsRequest {
  incidentId: string;
  actions: Array<{ title: string; owner: string; dueDate: string }>;
}

/** The whole state of one problem: what the query answers and what continue-as-new carries. */
export interface ProblemSnapshot {
  problemId: string;
  state: ProblemState;
  owner: string | null;
  rcaMethod: string | null;
  findings: string | null;
  rootCause: string | null;
  workaround: string | null;
  knownErrorArticleId: string | null;
  fixChangeId: string | null;
  observationUntil: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  /** Why the problem last went back to investigating (a failed fix, a recurrence). */
  reopenReason: string | null;
  incidents: ProblemIncidentLink[];
  actions: ProblemActionRecord[];
}

export interface ProblemWorkflowInput {
  problemId: string;
  title: string;
  settings: ProblemProcessSettings;
  /** Incidents named when the problem was logged by hand. */
  incidents?: string[];
  /** State carried over by continue-as-new; absent on the first run. */
  carried?: { snapshot: ProblemSnapshot; eventSequence: number };
}

export interface ProblemOutcome {
  problemId: string;
  state: ProblemState;
}

export function problemWorkflowId(problemId: string): string {
  return `problem-${problemId}`;
}
