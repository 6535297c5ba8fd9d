/** Approval and authorization payloads, shared by the API, the change workflow and its activities. */
// The approval vocabulary lives in libs/domain; these names stay importable from here.
export { DECISIONS, RISK_LEVELS } from '@steward/domain';
export type {
  ApprovalRecord,
  ApprovalRule,
  ApproverIdentity,
  Decision,
  DecisionPayload,
  PolicySnapshot,
  RiskAssessment,
  RiskFactor,
  RiskLevel,
  RuleProgress,
  SignedDecision,
} from '@steward/domain';
