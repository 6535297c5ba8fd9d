/**
 * The words of problem management: states, the incidents and review actions a problem keeps,
 * and its whole state as the problem's rules hold it. Instants are ISO 8601 strings so every
 * value survives workflow history and continue-as-new unchanged.
 */

export const PROBLEM_STATES = ['new', 'investigating', 'known_error', 'fix_in_progress', 'resolved', 'observation', 'closed'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

export const PROBLEM_ACTION_STATES = ['open', 'done'] as const;
export type ProblemActionState = (typeof PROBLEM_ACTION_STATES)[number];

export const KNOWLEDGE_ARTICLE_KINDS = ['known_error', 'article'] as const;
export type KnowledgeArticleKind = (typeof KNOWLEDGE_ARTICLE_KINDS)[number];

/** Timings of the problem process the workflow needs; the configuration adds the API's recurrence thresholds. */
export interface ProblemProcessSettings {
  /** How long a resolved problem is watched for recurrence before it closes. */
  observationMs: number;
  /** How often a problem waiting on its fix change looks at that change. */
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

export function problemWorkflowId(problemId: string): string {
  return `problem-${problemId}`;
}
