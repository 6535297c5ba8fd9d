/**
 * Problem payloads shared by the API, the problem workflow and its activities. Instants are
 * ISO 8601 strings so every value survives workflow history and continue-as-new unchanged.
 */
import type { ProblemProcessSettings, ProblemSnapshot, ProblemState, ReviewAction } from '@steward/domain';

// The problem vocabulary lives in libs/domain; these names stay importable from here.
export { KNOWLEDGE_ARTICLE_KINDS, PROBLEM_ACTION_STATES, PROBLEM_STATES, problemWorkflowId } from '@steward/domain';
export type {
  KnowledgeArticleKind,
  ProblemActionRecord,
  ProblemActionState,
  ProblemIncidentLink,
  ProblemProcessSettings,
  ProblemSnapshot,
  ProblemState,
} from '@steward/domain';

/** The review actions of one incident, as the incident workflow hands them over. */
export interface ReviewActionsRequest {
  incidentId: string;
  actions: ReviewAction[];
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

