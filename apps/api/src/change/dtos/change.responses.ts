import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CHANGE_STATES,
  CHANGE_TYPES,
  DECISIONS,
  RISK_LEVELS,
  STEP_KINDS,
  STEP_STATES,
  type ApprovalRecord,
  type ChangeState,
  type ChangeType,
  type Decision,
  type ImplementationPlan,
  type PlanStep,
  type RiskFactor,
  type RuleProgress,
  type StepKind,
  type StepState,
} from '@steward/contracts';

export class ChangeSubmittedResponse {
  @ApiProperty({ example: 'CHG-000123' }) id: string;
  @ApiProperty({ enum: CHANGE_STATES }) state: ChangeState;
  @ApiProperty({ example: 'change-CHG-000123' }) workflowId: string;
}

export class RiskFactorView implements RiskFactor {
  @ApiProperty({ example: 'ci-criticality' }) name: string;
  @ApiProperty() points: number;
  @ApiProperty({ description: 'Why it scored these points, in words' }) detail: string;
}

export class RiskView {
  @ApiProperty({ nullable: true, type: Number }) score: number | null;
  @ApiProperty({ nullable: true, type: String, enum: RISK_LEVELS }) level: string | null;
  @ApiPropertyOptional({ type: [RiskFactorView], description: 'Why: each factor with its points' }) factors?: RiskFactorView[];
}

export class ApprovalView implements ApprovalRecord {
  @ApiProperty({ description: 'Who voted (their id)' }) approver: string;
  @ApiProperty() approverName: string;
  @ApiProperty({ enum: DECISIONS }) decision: Decision;
  @ApiProperty() comment: string;
  @ApiProperty({ description: 'The plan the vote was cast for' }) planHash: string;
  @ApiProperty() at: string;
  @ApiProperty({ description: 'True once the plan it was cast for was replaced' }) voided: boolean;
}

export class RuleProgressView implements RuleProgress {
  @ApiProperty() id: string;
  @ApiProperty({ example: '3 approvals from cab' }) description: string;
  @ApiProperty() required: number;
  @ApiProperty({ type: [String] }) approvedBy: string[];
  @ApiProperty() satisfied: boolean;
}

export class PolicyRefView {
  @ApiProperty({ example: 'normal-high' }) id: string;
  @ApiProperty() version: number;
  @ApiProperty() name: string;
}

export class PlanStepView implements PlanStep {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STEP_KINDS }) kind: StepKind;
  @ApiProperty({ type: Object, description: 'The executor call, or the manual instructions' }) action: Record<string, unknown>;
  @ApiProperty({ type: Object, description: 'Its compensation' }) rollback: Record<string, unknown>;
  @ApiProperty() estimatedMinutes: number;
  @ApiPropertyOptional({ description: 'Run in the verifying phase, after every implementation step succeeded' }) verification?: boolean;
}

export class PlanView implements ImplementationPlan {
  @ApiProperty({ type: [PlanStepView] }) steps: PlanStepView[];
  @ApiPropertyOptional({ type: [Object], description: 'What the CMDB records of each CI once the change completes' }) ciUpdates?: ImplementationPlan['ciUpdates'];
}

export class ScheduleView {
  @ApiProperty({ nullable: true, type: String }) windowStart: string | null;
  @ApiProperty({ nullable: true, type: String }) windowEnd: string | null;
}

export class StepView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['automated', 'manual'] }) kind: string;
  @ApiProperty({ enum: STEP_STATES }) state: StepState;
  @ApiPropertyOptional() detail?: string;
}

export class AttentionView {
  @ApiProperty({ description: 'Why a change manager should look: a workflow run other than the recorded one called (a reset, a workflow started by hand)' }) reason: string;
  @ApiProperty() since: string;
}

export class ChangeView {
  @ApiProperty({ example: 'CHG-000123' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: CHANGE_TYPES }) type: ChangeType;
  @ApiProperty({ enum: CHANGE_STATES }) state: ChangeState;
  @ApiProperty({ type: RiskView, description: 'null score and level until the change is assessed' }) risk: RiskView;
  @ApiProperty() planHash: string;
  @ApiProperty({ type: [ApprovalView] }) approvals: ApprovalView[];
  @ApiProperty({ type: [RuleProgressView], description: 'Each rule of the policy with who satisfied it' }) requiredApprovals: RuleProgressView[];
  @ApiPropertyOptional({ nullable: true, type: PolicyRefView }) policy: PolicyRefView | null;
  @ApiPropertyOptional({ nullable: true, type: String }) endReason: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) reviewDueAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: Object }) review: { summary: string; lessons: string; reviewedBy: string; reviewedAt: string } | null;
  @ApiProperty({ type: ScheduleView }) schedule: ScheduleView;
  @ApiProperty({ type: [StepView] }) steps: StepView[];
  @ApiPropertyOptional({ nullable: true, type: String }) closureCode?: string | null;
  @ApiProperty() workflowId: string;
  @ApiProperty({ type: AttentionView, nullable: true, description: 'Set when the change needs a change manager (see POST /api/changes/{id}/settle); null otherwise' }) attention: AttentionView | null;
  @ApiPropertyOptional({ type: [Object], description: 'Open changes on the same or dependent CIs in an overlapping interval (detail view only)' }) conflicts?: unknown[];
  @ApiPropertyOptional({ type: [Object], description: 'Freezes ahead that cover its CIs (detail view only)' }) freezes?: unknown[];
  @ApiProperty({ type: [String] }) cis: string[];
  @ApiProperty() requester: { id: string; name: string };
  @ApiProperty({ enum: ['distinct', 'any'], description: 'SOD_IMPLEMENTER recorded at submission: whether the requester may complete manual steps and decide holds' }) sodImplementer: 'distinct' | 'any';
  @ApiPropertyOptional({ nullable: true, type: Object }) requestedWindow: { start: string; end: string } | null;
  @ApiPropertyOptional({ nullable: true, type: String }) templateId: string | null;
  @ApiProperty() justification: string;
  @ApiProperty() backoutPlan: string;
  @ApiPropertyOptional({ nullable: true, type: String }) testEvidence: string | null;
  @ApiProperty({ type: PlanView }) plan: PlanView;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class ChangePage {
  @ApiProperty({ type: [ChangeView] }) items: ChangeView[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class TimelineEntry {
  @ApiProperty() at: string;
  @ApiProperty() type: string;
  @ApiProperty() actor: string;
  @ApiProperty({ type: Object }) data: Record<string, unknown>;
}

export class SettledChangeResponse {
  @ApiProperty({ example: 'CHG-000123' }) changeId: string;
  @ApiProperty({ enum: ['failed'] }) state: 'failed';
  @ApiProperty() endReason: string;
  @ApiProperty() settledBy: string;
  @ApiProperty() reviewDueAt: string;
  @ApiProperty({ description: 'The recorded workflow run and the status Temporal reported for it' }) recordedRun: { runId: string | null; status: string };
}
