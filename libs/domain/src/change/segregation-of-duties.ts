/**
 * Segregation of duties for changes, as pure rules shared by the API and (where wired) the
 * change workflow's validators. Admins are not exempt: nothing here looks at roles.
 */

/** SOD_IMPLEMENTER: `distinct` (default) — manual steps and window holds are someone else's than the requester's; `any` for small teams. */
export const SOD_IMPLEMENTER_MODES = ['distinct', 'any'] as const;
export type SodImplementerMode = (typeof SOD_IMPLEMENTER_MODES)[number];

/** The rules, in the words a 403 answers with. */
export const SOD_RULES = {
  serviceAccountVote: 'approvers are people: service accounts cannot vote',
  requesterApproves: 'requester cannot approve own change',
  planAuthorApproves: 'the author of a plan revision cannot approve it',
  requesterCompletesStep: 'segregation of duties (SOD_IMPLEMENTER=distinct): the requester cannot complete manual steps of their own change',
  requesterDecidesHold: 'segregation of duties (SOD_IMPLEMENTER=distinct): the requester cannot decide the window hold of their own change',
  serviceAccountDecidesHold: 'window holds are decided by people: service accounts cannot decide them',
} as const;

export interface SodRefusal {
  code: 'forbidden';
  rule: keyof typeof SOD_RULES;
  message: string;
}

const refuse = (rule: keyof typeof SOD_RULES): SodRefusal => ({ code: 'forbidden', rule, message: SOD_RULES[rule] });

export interface ApprovalDuties {
  approverId: string;
  /** The approver authenticated with an API key (a pipeline): never a vote. */
  approverIsServiceAccount?: boolean;
  requesterId: string;
  /** Who wrote the plan revision being approved (the actors of its `plan_revised` events). */
  planAuthors?: readonly string[];
}

/** Why this person may not approve (or reject) this change, or undefined. */
export function approvalSodRefusal(duties: ApprovalDuties): SodRefusal | undefined {
  if (duties.approverIsServiceAccount) return refuse('serviceAccountVote');
  if (duties.approverId === duties.requesterId) return refuse('requesterApproves');
  if (duties.planAuthors?.includes(duties.approverId)) return refuse('planAuthorApproves');
  return undefined;
}

export interface ImplementationDuties {
  actorId: string;
  actorIsServiceAccount?: boolean;
  requesterId: string;
  /** The setting recorded on the change at submission. */
  mode: SodImplementerMode;
  action: 'complete_step' | 'decide_hold';
}

/** Why this person may not complete a manual step or decide a hold of this change, or undefined. */
export function implementationSodRefusal(duties: ImplementationDuties): SodRefusal | undefined {
  if (duties.action === 'decide_hold' && duties.actorIsServiceAccount) return refuse('serviceAccountDecidesHold');
  if (duties.mode === 'any') return undefined;
  if (duties.actorId === duties.requesterId) return refuse(duties.action === 'complete_step' ? 'requesterCompletesStep' : 'requesterDecidesHold');
  return undefined;
}

/** Reads SOD_IMPLEMENTER; anything else than the two modes is a configuration error. */
export function isSodImplementerMode(value: unknown): value is SodImplementerMode {
  return (SOD_IMPLEMENTER_MODES as readonly unknown[]).includes(value);
}

/**
 * The authors of the plan a change currently carries: everyone who revised it to that hash.
 * The first plan's author is the requester, whom `approvalSodRefusal` refuses anyway.
 */
export function planAuthorsOf(revisions: ReadonlyArray<{ actor: string; planHash: string }>, currentPlanHash: string): string[] {
  return [...new Set(revisions.filter((r) => r.planHash === currentPlanHash).map((r) => r.actor))];
}
