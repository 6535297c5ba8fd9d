/** The words of approval: decisions, risk, the policy a change is governed by and its progress. */

export const DECISIONS = ['approve', 'reject', 'request_changes'] as const;
export type Decision = (typeof DECISIONS)[number];

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskFactor {
  name: string;
  points: number;
  detail: string;
}

export interface RiskAssessment {
  score: number;
  level: RiskLevel;
  factors: RiskFactor[];
}

/** Who decided, as the API's verified token said, carried inside the signed decision. */
export interface ApproverIdentity {
  id: string;
  name: string;
  roles: string[];
  groups: string[];
}

/** One rule of a resolved policy: `count` distinct voters who each satisfy it. */
export interface ApprovalRule {
  id: string;
  description: string;
  count: number;
  /** The voter belongs to at least one of these groups (absent: any group). */
  groups?: string[];
  /** The voter has at least one of these roles (absent: any voting role). */
  roles?: string[];
  /**
   * The voter also matches at least one of these alternatives, each read as (groups match) AND
   * (roles match): how a rule says "a member of ecab OR a change manager". Absent: no extra condition.
   */
  anyOf?: Array<{ groups?: string[]; roles?: string[] }>;
}

/**
 * The policy as it governs one change, resolved when the change was assessed (owner groups
 * filled in) and kept by the workflow: a later edit of the policy never changes it.
 */
export interface PolicySnapshot {
  policyId: string;
  version: number;
  name: string;
  rules: ApprovalRule[];
}

export interface ApprovalRecord {
  approver: string;
  approverName: string;
  decision: Decision;
  comment: string;
  planHash: string;
  at: string;
  /** True once the plan it was cast for was replaced. */
  voided: boolean;
}

export interface RuleProgress {
  id: string;
  description: string;
  required: number;
  approvedBy: string[];
  satisfied: boolean;
}

/** The payload the API signs. The workflow counts it; the gate activity verifies the signature. */
export interface DecisionPayload {
  changeId: string;
  planHash: string;
  approver: ApproverIdentity;
  decision: Decision;
  comment: string;
  /** ISO 8601, set by the API. */
  at: string;
}

export interface SignedDecision extends DecisionPayload {
  /** Ed25519 signature (64 bytes, base64url: 86 characters) of the canonical payload by the API's decision key. */
  signature: string;
}
