import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  cancelChangeUpdate,
  changeStateQuery,
  completeStepUpdate,
  decideUpdate,
  rescheduleUpdate,
  resolveHoldUpdate,
  revisePlanUpdate,
  type ChangeSnapshot,
} from '@steward/contracts';
import { StewardError, approvalSodRefusal, implementationSodRefusal, isFinalChangeState, pipelineGateRefusals, planAuthorsOf, settlementRefusal } from '@steward/domain';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import { hasAnyRole, type Principal } from '@steward/identity';
import { AuditLog, ChangeAuthorizationEntity, ChangeEventEntity, ChangeReadModel, ChangeRecordsService, ChangeRequestEntity } from '@steward/persistence';
import { DecisionSigner } from '@steward/security';
import { Client, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { fromTemporalError } from '../common/temporal-errors';
import { invalidFields } from '../common/validation';
import type { CompleteStepDto, DecisionDto, RescheduleDto, RevisePlanDto, SettleChangeDto } from './dtos/create-change.dto';
import type { SettledChangeResponse } from './dtos/change.responses';
import { ChangeProcessOptions } from './change-process.options';
import { planProblemsOf, toPlan } from './plan-input';
import { ServiceAccountReach } from '../identity/service-account-reach.service';

/** How long the API waits for the workflow before it answers 503 (no worker, server down). */
const WORKFLOW_DEADLINE_MS = 10_000;

export interface GateAnswer {
  allowed: boolean;
  reasons: string[];
  changeId: string;
  state: string;
  window: { start: string; end: string } | null;
}

/**
 * Everything that asks a change's workflow to act: decisions (signed here, after the caller's
 * identity was verified), plan revisions, manual step completions, reschedules, cancels. The
 * workflow's validators have the last word; their refusals come back as 403/409.
 */
@Injectable()
export class ChangeProcessService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly readModel: ChangeReadModel,
    private readonly temporal: Client,
    private readonly signer: DecisionSigner,
    private readonly audit: AuditLog,
    private readonly records: ChangeRecordsService,
    private readonly options: ChangeProcessOptions,
    private readonly reach: ServiceAccountReach,
  ) {}

  private async changeOf(id: string): Promise<ChangeRequestEntity> {
    const change = await this.readModel.findChange(id);
    if (!change) throw new StewardError('not_found', `change ${id} not found`);
    return change;
  }

  private async send<T>(change: ChangeRequestEntity, what: string, call: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    if (isFinalChangeState(change.state)) throw new StewardError('conflict', `change ${change.id} is ${change.state}: cannot ${what}`);
    try {
      return await this.temporal.withDeadline(Date.now() + WORKFLOW_DEADLINE_MS, () => call(this.temporal.workflow.getHandle(change.workflowId)));
    } catch (error) {
      throw fromTemporalError(error, `${what} ${change.id}`);
    }
  }

  private static ownerOrManager(caller: Principal, change: ChangeRequestEntity, what: string): void {
    if (change.requesterId !== caller.id && !hasAnyRole(caller, ['change_manager', 'admin'])) {
      throw new StewardError('forbidden', `only the requester or a change manager may ${what} this change`);
    }
  }

  async decide(caller: Principal, id: string, dto: DecisionDto): Promise<ChangeSnapshot> {
    const change = await this.changeOf(id);
    try {
      return await this.signAndSend(caller, change, dto);
    } catch (error) {
      // Every refused vote is evidence: who tried to decide what, and why they could not.
      if (error instanceof StewardError && (error.code === 'forbidden' || error.code === 'conflict')) {
        await this.audit.record({ entity: 'change', entityId: id, action: 'change.decision_refused', actor: caller.id, data: { decision: dto.decision, reason: error.message } });
      }
      throw error;
    }
  }

  /**
   * Signs what only the API knows: who the caller is (verified at the edge, where the route also
   * wants a voting role and refuses API keys) and which plan they decided on. Whether the vote
   * may count (state, requester and plan author, eligibility, one vote per plan, the plan hash,
   * the deadline) is the workflow's validator's to decide, in one place.
   *
   * One exception, kept on purpose: runs started before the workflow learnt the plan-author rule
   * (patch `plan-authors-may-not-approve`) do not apply it, and cannot without breaking their
   * histories; until none of them is left in flight, the edge refuses a plan author's vote too,
   * with the same domain rule.
   */
  private async signAndSend(caller: Principal, change: ChangeRequestEntity, dto: DecisionDto): Promise<ChangeSnapshot> {
    const planAuthors = await this.planAuthors(change);
    if (planAuthors.includes(caller.id)) {
      const sod = approvalSodRefusal({ approverId: caller.id, requesterId: change.requesterId, planAuthors });
      if (sod) throw new StewardError('forbidden', sod.message);
    }
    const signed = this.signer.sign({
      changeId: change.id,
      planHash: dto.planHash,
      approver: { id: caller.id, name: caller.name, roles: caller.roles, groups: caller.groups },
      decision: dto.decision,
      comment: dto.comment,
      at: new Date().toISOString(),
    });
    return this.send(change, 'decide on', (handle) => handle.executeUpdate(decideUpdate, { args: [signed] }));
  }

  /** Who revised the plan to the hash it has now (change_event `plan_revised`, written by the workflow's activity). */
  private async planAuthors(change: ChangeRequestEntity): Promise<string[]> {
    const revisions = await this.db.getRepository(ChangeEventEntity).find({ select: { actor: true, data: true }, where: { changeId: change.id, type: 'plan_revised' } });
    return planAuthorsOf(
      revisions.map((r) => ({ actor: r.actor, planHash: String((r.data as { planHash?: unknown } | null)?.planHash ?? '') })),
      change.planHash,
    );
  }

  async revisePlan(caller: Principal, id: string, dto: RevisePlanDto): Promise<ChangeSnapshot> {
    const change = await this.changeOf(id);
    ChangeProcessService.ownerOrManager(caller, change, 'edit the plan of');
    const problems = planProblemsOf(dto.plan, change.ciKeys);
    if (problems.length > 0) throw invalidFields(problems);
    const plan = toPlan(dto.plan);
    const backoutPlan = dto.backoutPlan ?? change.backoutPlan;
    const planHash = computePlanHash(plan, backoutPlan);
    return this.send(change, 'edit the plan of', (handle) =>
      handle.executeUpdate(revisePlanUpdate, { args: [{ actor: { id: caller.id, name: caller.name }, plan, backoutPlan, planHash }] }),
    );
  }

  async completeStep(caller: Principal, id: string, stepId: string, dto: CompleteStepDto): Promise<ChangeSnapshot> {
    const change = await this.changeOf(id);
    await this.reach.assertChange(caller, change, 'POST /api/changes/:id/steps/:stepId/complete');
    if (!change.plan.steps.some((s) => s.id === stepId)) throw new StewardError('not_found', `step ${stepId} is not in the plan of ${id}`);
    await this.refuseImplementer(caller, change, 'complete_step');
    return this.send(change, `complete step ${stepId} of`, (handle) =>
      handle.executeUpdate(completeStepUpdate, { args: [{ actor: { id: caller.id, name: caller.name }, stepId, outcome: dto.outcome, notes: dto.notes }] }),
    );
  }

  async reschedule(caller: Principal, id: string, dto: RescheduleDto): Promise<ChangeSnapshot> {
    const change = await this.changeOf(id);
    ChangeProcessService.ownerOrManager(caller, change, 'reschedule');
    if (Date.parse(dto.window.end) <= Date.parse(dto.window.start)) throw invalidFields([{ field: 'window.end', message: 'must be after window.start' }]);
    return this.send(change, 'reschedule', (handle) =>
      handle.executeUpdate(rescheduleUpdate, { args: [{ actor: { id: caller.id, name: caller.name }, window: { start: new Date(dto.window.start).toISOString(), end: new Date(dto.window.end).toISOString() } }] }),
    );
  }

  /** SOD_IMPLEMENTER as recorded on the change; a refusal is audited and answered 403 naming the rule. */
  private async refuseImplementer(caller: Principal, change: ChangeRequestEntity, action: 'complete_step' | 'decide_hold'): Promise<void> {
    const refusal = implementationSodRefusal({
      actorId: caller.id,
      actorIsServiceAccount: caller.serviceAccount !== undefined,
      requesterId: change.requesterId,
      mode: change.sodImplementer,
      action,
    });
    if (!refusal) return;
    await this.audit.record({ entity: 'change', entityId: change.id, action: 'change.sod_refused', actor: caller.id, data: { action, rule: refusal.rule, reason: refusal.message } });
    throw new StewardError('forbidden', refusal.message);
  }

  async resolveHold(caller: Principal, id: string, action: 'rollback' | 'continue'): Promise<ChangeSnapshot> {
    const change = await this.changeOf(id);
    await this.refuseImplementer(caller, change, 'decide_hold');
    return this.send(change, 'resolve the hold of', (handle) => handle.executeUpdate(resolveHoldUpdate, { args: [{ actor: { id: caller.id, name: caller.name }, action }] }));
  }

  async cancel(caller: Principal, id: string, reason: string): Promise<ChangeSnapshot> {
    const change = await this.changeOf(id);
    ChangeProcessService.ownerOrManager(caller, change, 'cancel');
    if (isFinalChangeState(change.state)) throw new StewardError('conflict', `change ${id} is ${change.state} and can no longer be cancelled`);
    return this.send(change, 'cancel', (handle) => handle.executeUpdate(cancelChangeUpdate, { args: [{ actor: { id: caller.id, name: caller.name }, reason }] }));
  }

  /**
   * Records the post-implementation review an emergency or failed change owes. Once only:
   * a review is evidence, amended by a new change of its own, not by rewriting.
   */
  async review(caller: Principal, id: string, summary: string, lessons: string): Promise<{ changeId: string; review: NonNullable<ChangeRequestEntity['review']> }> {
    return this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw new StewardError('not_found', `change ${id} not found`);
      if (!change.reviewDueAt) throw new StewardError('conflict', `change ${id} owes no post-implementation review (only emergency and failed changes do)`);
      if (change.review) throw new StewardError('conflict', `the review of ${id} was recorded by ${change.review.reviewedBy} at ${change.review.reviewedAt}`);
      const review = { summary, lessons, reviewedBy: caller.id, reviewedAt: new Date().toISOString() };
      await tx.getRepository(ChangeRequestEntity).update({ id }, { review });
      await this.audit.append(tx, { entity: 'change', entityId: id, action: 'change.reviewed', actor: caller.id, data: { ...review, dueAt: change.reviewDueAt.toISOString() } });
      return { changeId: id, review };
    });
  }

  /**
   * A change manager settles a stuck change: `failed`, with the reason, a review owed, nothing
   * executed. Only once the workflow run Steward started is no longer running (Temporal says so):
   * a reset or terminated run, or one that ended without moving the change. Refusals are 409.
   */
  async settle(caller: Principal, id: string, dto: SettleChangeDto): Promise<SettledChangeResponse> {
    const change = await this.changeOf(id);
    if (isFinalChangeState(change.state)) throw new StewardError('conflict', `change ${id} is ${change.state}: it has ended already`);
    const recordedRun = await this.recordedRun(change);
    try {
      const settled = await this.records.settle(id, caller.id, dto.reason, this.options.reviewDueMs, recordedRun);
      return { changeId: id, state: 'failed', endReason: dto.reason, settledBy: caller.id, reviewDueAt: settled.reviewDueAt!.toISOString(), recordedRun: { runId: recordedRun.runId, status: recordedRun.status } };
    } catch (error) {
      if (error instanceof StewardError && error.code === 'conflict') {
        await this.audit.record({ entity: 'change', entityId: id, action: 'change.settle_refused', actor: caller.id, data: { reason: error.message, recordedRun } });
      }
      throw error;
    }
  }

  /** What Temporal says of the run recorded on the change (or, with none recorded, of its workflow id). */
  private async recordedRun(change: ChangeRequestEntity): Promise<{ runId: string | null; status: string; running: boolean }> {
    try {
      const description = await this.temporal.withDeadline(Date.now() + WORKFLOW_DEADLINE_MS, () =>
        this.temporal.workflow.getHandle(change.workflowId, change.workflowRunId ?? undefined).describe(),
      );
      return { runId: change.workflowRunId, status: description.status.name, running: description.status.name === 'RUNNING' };
    } catch (error) {
      // Gone from the server (retention passed, or never started): certainly not running.
      if (error instanceof WorkflowNotFoundError) return { runId: change.workflowRunId, status: 'NOT_FOUND', running: false };
      throw fromTemporalError(error, `describing the workflow run of ${change.id}`);
    }
  }

  /** The live state, straight from the workflow. */
  async live(caller: Principal, id: string): Promise<ChangeSnapshot> {
    const change = await this.changeOf(id);
    await this.reach.assertChange(caller, change, 'GET /api/changes/:id/live');
    try {
      return await this.temporal.withDeadline(Date.now() + WORKFLOW_DEADLINE_MS, () =>
        this.temporal.workflow.getHandle(change.workflowId).query(changeStateQuery),
      );
    } catch (error) {
      throw fromTemporalError(error, `reading the live state of ${id}`);
    }
  }

  /**
   * The deployment gate for pipelines: allowed only while the change is implementing, inside
   * its authorized interval, for one of its CIs, with the artifact its plan names. Every answer
   * is audited, so who asked to deploy what, and what they were told, is on record.
   */
  async gate(caller: Principal, id: string, ci: string, sha: string | undefined, now = new Date()): Promise<GateAnswer> {
    const change = await this.changeOf(id);
    // A pipeline's key asks only about its own CIs, on changes within them.
    await this.reach.assertCis(caller, [ci], 'GET /api/changes/:id/gate');
    await this.reach.assertChange(caller, change, 'GET /api/changes/:id/gate');
    const authorization = await this.db.getRepository(ChangeAuthorizationEntity).findOne({ where: { changeId: id } });
    const artifact = change.plan.ciUpdates?.find((u) => u.ci === ci)?.artifactSha;
    // The same rule set as the executor gate (libs/domain execution-authorization).
    const reasons = pipelineGateRefusals({
      state: change.state,
      ciKeys: change.ciKeys,
      storedPlanHash: computePlanHash(change.plan, change.backoutPlan),
      recordedPlanHash: change.planHash,
      authorization,
      ci,
      sha,
      artifactSha: artifact,
      now,
    });
    const allowed = reasons.length === 0;
    if (allowed) {
      reasons.push(`authorized for ${ci}${artifact ? ` at ${artifact}` : ''} until ${authorization!.windowEnd.toISOString()}`);
    }
    await this.audit.record({ entity: 'change', entityId: id, action: allowed ? 'change.gate_allowed' : 'change.gate_denied', actor: caller.id, data: { ci, sha: sha ?? null, reasons } });
    return {
      allowed,
      reasons,
      changeId: id,
      state: change.state,
      window: authorization ? { start: authorization.windowStart.toISOString(), end: authorization.windowEnd.toISOString() } : null,
    };
  }
}
