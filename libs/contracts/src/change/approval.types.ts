/** Approval and authorization payloads, shared by the API, the change workflow and its activities. */
import type { ApproverIdentity, Decision } from '@steward/domain';

// The approval vocabulary lives in libs/domain; these names stay importable from here.
export { DECISIONS, RISK_LEVELS } from '@steward/domain';
export type {
  ApprovalRecord,
  ApprovalRule,
  ApproverIdentity,
  Decision,
  PolicySnapshot,
  RiskAssessment,
  RiskFactor,
  RiskLevel,
  RuleProgress,
} from '@steward/domain';

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
