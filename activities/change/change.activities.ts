import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError } from '@steward/domain';
import { freezesAt } from '@steward/domain/calendar';
import type { ChangeTransition, ImplementationPlan, PolicySnapshot, SignedDecision, StepState } from '@steward/contracts';
import {
  ChangeAssessmentService,
  ChangeDecisionService,
  ChangeGateService,
  ChangeReadModel,
  ChangeRecordsService,
  ChangeFreezeEntity,
  ChangeRequestEntity,
  SchedulingService,
  type DecisionAcceptance,
  freezePeriodOf,
  type AssessmentResult,
} from '@steward/persistence';
import { log } from '@temporalio/activity';
import { DataSource, LessThanOrEqual, MoreThan } from 'typeorm';
import { IncidentLauncher } from '@steward/temporal';
import { ChangeRunBinding } from './change-run-binding';

/**
 * Activities of the change workflow that record and decide: thin, all I/O, idempotent under
 * retries. Step execution lives in ChangeExecutionActivities. Each one first asks the run
 * binding whether its caller is the workflow run recorded on the change (from the activity
 * context, never the input): nothing else writes to a change, reads its decisions' verdicts or
 * gets its token.
 */
@Injectable()
export class ChangeActivities {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly readModel: ChangeReadModel,
    private readonly assessment: ChangeAssessmentService,
    private readonly decisions: ChangeDecisionService,
    private readonly gate: ChangeGateService,
    private readonly changeRecords: ChangeRecordsService,
    private readonly scheduling: SchedulingService,
    private readonly incidents: IncidentLauncher,
    private readonly binding: ChangeRunBinding,
  ) {}

  /** Applies one transition of the workflow to the change record and its timeline. */
  async recordChangeTransition(input: { changeId: string; sequence: number; transition: ChangeTransition }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.readModel.recordTransition(input.changeId, input.sequence, input.transition);
  }

  async assessChange(input: { changeId: string }): Promise<AssessmentResult> {
    await this.binding.verify(input.changeId);
    return this.assessment.assess(input.changeId);
  }

  /**
   * The workflow cannot hold keys: the worker checks that the API signed the decision and, if it
   * did, records it, in one call. An unsigned decision is recorded as refused, never counted.
   */
  async acceptDecision(input: { decision: SignedDecision }): Promise<DecisionAcceptance> {
    await this.binding.verify(input.decision?.changeId);
    return this.decisions.accept(input.decision);
  }

  /** Runs started before one-activity-per-decision verify, then record (kept for them). */
  async verifyDecision(input: { decision: SignedDecision }): Promise<boolean> {
    await this.binding.verify(input.decision?.changeId);
    return this.decisions.verify(input.decision);
  }

  async recordDecision(input: { decision: SignedDecision }): Promise<void> {
    await this.binding.verify(input.decision?.changeId);
    await this.decisions.record(input.decision);
  }

  async recordRefusal(input: { changeId: string; actor: string; reason: string }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.decisions.refuse(input.changeId, input.actor, input.reason);
  }

  async voidApprovals(input: { changeId: string; reason: string }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.decisions.voidAll(input.changeId, input.reason);
  }

  async revisePlan(input: { changeId: string; plan: ImplementationPlan; backoutPlan: string; planHash: string; actor: string }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.changeRecords.revisePlan(input.changeId, input.plan, input.backoutPlan, input.planHash, input.actor);
  }

  async notifyApprovers(input: { changeId: string; kind: 'approval_reminder' | 'approval_escalation'; missing: string[]; policy: PolicySnapshot }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.changeRecords.notifyApprovers(input.changeId, input.kind, input.missing, input.policy);
  }

  /** The next interval the change may run in (zone math happens here, never in the workflow). */
  async scheduleChange(input: {
    changeId: string;
    emergency: boolean;
    durationMinutes: number;
    requested?: { start: string; end: string };
  }): Promise<{ start: string; end: string; reason: string } | null> {
    await this.binding.verify(input.changeId);
    const change = await this.db.getRepository(ChangeRequestEntity).findOneOrFail({ where: { id: input.changeId } });
    const requested = input.requested
      ? { start: new Date(input.requested.start), end: new Date(input.requested.end) }
      : change.requestedWindowStart && change.requestedWindowEnd
        ? { start: change.requestedWindowStart, end: change.requestedWindowEnd }
        : undefined;
    const interval = await this.scheduling.nextInterval({
      ciKeys: change.ciKeys,
      durationMinutes: input.durationMinutes,
      after: new Date(),
      emergency: input.emergency,
      ...(requested ? { requested } : {}),
    });
    await this.changeRecords.schedule(input.changeId, interval);
    return interval ? { start: interval.start.toISOString(), end: interval.end.toISOString(), reason: interval.reason } : null;
  }

  /** Freezes in force now for the change's CIs (re-checked when the workflow wakes up). */
  async blockingFreezes(input: { changeId: string; emergency: boolean }): Promise<string[]> {
    await this.binding.verify(input.changeId);
    const change = await this.db.getRepository(ChangeRequestEntity).findOneOrFail({ where: { id: input.changeId } });
    const now = new Date();
    const [cis, freezes] = await Promise.all([
      this.db.query(`SELECT key, tags FROM configuration_item WHERE key = ANY($1)`, [change.ciKeys]) as Promise<Array<{ key: string; tags: string[] }>>,
      this.db.getRepository(ChangeFreezeEntity).find({ where: { startAt: LessThanOrEqual(now), endAt: MoreThan(now) } }),
    ]);
    return freezesAt(freezes.map(freezePeriodOf), cis, now, input.emergency).map((f) => f.name);
  }

  async recordNote(input: { changeId: string; type: string; data: Record<string, unknown> }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.changeRecords.event(input.changeId, `${input.type}:${Date.now()}`, input.type, 'steward', input.data);
  }

  async recordStepState(input: { changeId: string; stepId: string; state: StepState; detail?: string }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.changeRecords.stepState(input.changeId, input.stepId, input.state, input.detail);
  }

  /** The authorization gate: verifies everything again and issues the implementation token. */
  async authorizeImplementation(input: { changeId: string; window: { start: string; end: string } }): Promise<{ token: string }> {
    // The token goes to the calling run, as the activity context names it.
    const caller = await this.binding.verify(input.changeId);
    return this.gate.authorize(input.changeId, caller, input.window);
  }

  async completeChange(input: { changeId: string; closureCode: string; reviewDueMs?: number }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.changeRecords.complete(input.changeId, input.closureCode, input.reviewDueMs);
  }

  /**
   * Records the failure and, when a production CI was touched, opens the incident for it on the
   * first production CI. The fingerprint `change-failure:<id>` makes a retry find the incident
   * it opened before; the link is written after, so a crash in between heals on the retry.
   */
  async recordFailure(input: { changeId: string; endState: string; reason: string; failedStep?: string; reviewDueMs?: number }): Promise<void> {
    await this.binding.verify(input.changeId);
    const failure = await this.changeRecords.fail(input.changeId, input.endState, input.reason, input.failedStep, input.reviewDueMs);
    if (!failure.production || !failure.productionCi || failure.incidentId) return;
    let incident: { id: string };
    try {
      incident = await this.incidents.open({
        title: `Change ${failure.changeId} ended ${failure.endState}`,
        description: [`"${failure.title}" ended ${failure.endState}: ${failure.reason}`, failure.failedStep ? `Failed step: ${failure.failedStep}.` : null]
          .filter((line): line is string => line !== null)
          .join('\n'),
        service: failure.productionCi,
        impact: 2,
        urgency: 2,
        reportedBy: 'steward',
        source: 'failed_change',
        changeId: failure.changeId,
        alertFingerprint: `change-failure:${failure.changeId}`,
      });
    } catch (error) {
      if (!(error instanceof StewardError)) throw error;
      // An unreachable workflow engine is transient: a plain error keeps the activity retrying.
      if (error.code === 'unavailable') throw new Error(error.message);
      // Any other refusal would end this activity for good and fail the change workflow with it;
      // the failure stays recorded without an incident (incident_id null) and is logged.
      log.warn('no incident opened for a failed change', { changeId: failure.changeId, error: error.message });
      return;
    }
    await this.changeRecords.linkFailureIncident(failure.changeId, incident.id);
  }
}
