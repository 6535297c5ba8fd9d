import type { ApprovalRecord, ApproverIdentity, Decision } from './approval-vocabulary';
import type { IdentifiedApproval } from './approval-policy';

/**
 * A vote as Steward keeps it: a `change_approval` row, or a signed decision the change workflow
 * holds (`castVote`). `approverId` is who the vote is recorded for and `identity` whom the
 * decision was signed for; the quorum counts a vote only when the two agree.
 */
export interface CastVote {
  approverId: string;
  approverName: string;
  identity: ApproverIdentity;
  decision: Decision;
  comment: string;
  planHash: string;
  /** A Date from the database, an ISO 8601 string from a signed decision. */
  at: Date | string;
  voided: boolean;
}

/** A signed decision as a vote; `voided` once the plan it was cast for was replaced. */
export function castVote(decision: { approver: ApproverIdentity; decision: Decision; comment: string; planHash: string; at: string }, voided: boolean): CastVote {
  return { approverId: decision.approver.id, approverName: decision.approver.name, identity: decision.approver, decision: decision.decision, comment: decision.comment, planHash: decision.planHash, at: decision.at, voided };
}

/** A vote as the change view and snapshot show it (no roles or groups of the voter). */
export function approvalRecord(vote: CastVote): ApprovalRecord {
  return {
    approver: vote.approverId,
    approverName: vote.approverName,
    decision: vote.decision,
    comment: vote.comment,
    planHash: vote.planHash,
    at: typeof vote.at === 'string' ? vote.at : vote.at.toISOString(),
    voided: vote.voided,
  };
}

/** A vote as the quorum (`evaluateApprovals`) weighs it: the record and the identity it was signed with. */
export function identifiedApproval(vote: CastVote): IdentifiedApproval {
  return { ...approvalRecord(vote), identity: vote.identity };
}
