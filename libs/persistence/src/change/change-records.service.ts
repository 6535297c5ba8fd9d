import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ImplementationPlan, PolicySnapshot, StepState } from '@steward/contracts';
import { StewardError, canMoveStep, isFinalChangeState, settlementRefusal } from '@steward/domain';
import { DataSource, In, IsNull } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { ConfigurationItemEntity } from '../cmdb/configuration-item.entity';
import { insertRows, updateRows } from '../insert-rows';
import { Notifier } from '../notification/notifier.service';
import { ChangeFailureEntity, ChangeStepEntity } from './change-approval.entities';
import { ChangeEventEntity } from './change-event.entity';
import { ChangeRequestEntity } from './change-request.entity';
import { computePlanHash } from './plan-hash';

/** A change's failure record, with what opening its incident needs. */
export interface RecordedChangeFailure {
  changeId: string;
  title: string;
  endState: string;
  reason: string;
  failedStep: string | null;
  /** At least one affected CI is in production: only then is an incident opened. */
  production: boolean;
  /** The first of the change's CIs that is in production, in the order the change names them. */
  productionCi: string | null;
  incidentId: string | null;
}

/**
 * Everything else the change workflow records: step progress, plan revisions, notes,
 * notifications, and the end of a change (CMDB updates on success, a failure record
 * otherwise). Every write is idempotent, because activities run at least once.
 */
@Injectable()
export class ChangeRecordsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly notifier: Notifier,
  ) {}

  private async change(id: string): Promise<ChangeRequestEntity> {
    const change = await this.db.getRepository(ChangeRequestEntity).findOne({ where: { id } });
    if (!change) throw new StewardError('not_found', `change ${id} has no record: it was not submitted through Steward`);
    return change;
  }

  async event(changeId: string, eventKey: string, type: string, actor: string, data: Record<string, unknown>, at = new Date()): Promise<void> {
    await insertRows(this.db.manager, ChangeEventEntity, [Object.assign(new ChangeEventEntity(), { changeId, eventKey: eventKey.slice(0, 100), at, type, actor, data })], { ignoreConflicts: true });
  }

  /**
   * Records a step's progress. Steps only move forward (domain `canMoveStep`): a finished step
   * is never re-opened, so a late or replayed `running` cannot erase that it ran. The same
   * state again is a re-delivery and changes nothing.
   */
  async stepState(changeId: string, stepId: string, state: StepState, detail: string | undefined, actor = 'steward'): Promise<void> {
    const now = new Date();
    const moved = await this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw new StewardError('not_found', `change ${changeId} has no record: it was not submitted through Steward`);
      const position = change.plan.steps.findIndex((s) => s.id === stepId);
      if (position < 0) throw new StewardError('invalid', `step ${stepId} is not in the plan of ${changeId}`);
      const current = await tx.findOne(ChangeStepEntity, { where: { changeId, stepId } });
      const from = (current?.state ?? undefined) as StepState | undefined;
      if (from === state) return false;
      if (!canMoveStep(from, state)) {
        const reason = `step ${stepId} of ${changeId} is ${from ?? 'pending'}: it cannot become ${state}`;
        await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.step_state_refused', actor, data: { stepId, from: from ?? 'pending', to: state, reason } });
        return reason;
      }
      const starts = ['running', 'waiting', 'rolling_back'].includes(state);
      const ends = ['succeeded', 'failed', 'skipped', 'rolled_back', 'rollback_failed'].includes(state);
      await tx.query(
        `INSERT INTO change_step (change_id, step_id, position, state, detail, started_at, ended_at, completed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (change_id, step_id) DO UPDATE SET state = EXCLUDED.state, detail = COALESCE(EXCLUDED.detail, change_step.detail),
           started_at = COALESCE(change_step.started_at, EXCLUDED.started_at), ended_at = COALESCE(EXCLUDED.ended_at, change_step.ended_at),
           completed_by = COALESCE(EXCLUDED.completed_by, change_step.completed_by)`,
        [changeId, stepId, position, state, detail ?? null, starts ? now : null, ends ? now : null, actor === 'steward' ? null : actor],
      );
      return true;
    });
    if (typeof moved === 'string') throw new StewardError('conflict', moved);
    if (moved) await this.event(changeId, `step:${stepId}:${state}:${now.getTime()}`, 'step_state', actor, { stepId, state, ...(detail ? { detail } : {}) }, now);
  }

  async steps(changeId: string): Promise<ChangeStepEntity[]> {
    return this.db.getRepository(ChangeStepEntity).find({ where: { changeId }, order: { position: 'ASC' } });
  }

  /** Stores a revised plan after checking that it is the plan its hash claims. */
  async revisePlan(changeId: string, plan: ImplementationPlan, backoutPlan: string, planHash: string, actor: string): Promise<void> {
    if (computePlanHash(plan, backoutPlan) !== planHash) throw new StewardError('invalid', 'the revised plan does not match its hash');
    await this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw new StewardError('not_found', `change ${changeId} not found`);
      if (change.planHash === planHash) return;
      await updateRows(tx, ChangeRequestEntity, { id: changeId }, { plan, backoutPlan, planHash, scheduleStart: null, scheduleEnd: null });
      await tx.delete(ChangeStepEntity, { changeId });
      await tx.insert(ChangeEventEntity, { changeId, eventKey: `plan:${planHash}`, at: new Date(), type: 'plan_revised', actor, data: { previous: change.planHash, planHash } });
      await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.plan_revised', actor, data: { previous: change.planHash, planHash } });
    });
  }

  async schedule(changeId: string, interval: { start: Date; end: Date; reason: string } | null): Promise<void> {
    await updateRows(this.db.manager, ChangeRequestEntity, { id: changeId }, { scheduleStart: interval?.start ?? null, scheduleEnd: interval?.end ?? null });
    if (interval) {
      await this.event(changeId, `scheduled:${interval.start.getTime()}:${interval.end.getTime()}`, 'scheduled', 'steward', {
        start: interval.start.toISOString(),
        end: interval.end.toISOString(),
        reason: interval.reason,
      });
    }
  }

  /** Success: the CMDB takes the values the plan promised; emergency changes owe a review. */
  async complete(changeId: string, closureCode: string, reviewDueMs?: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw new StewardError('not_found', `change ${changeId} not found`);
      if (change.completedAt) return;
      const now = new Date();
      for (const update of change.plan.ciUpdates ?? []) {
        const ci = await tx.findOne(ConfigurationItemEntity, { where: { key: update.ci }, lock: { mode: 'pessimistic_write' } });
        if (!ci) continue;
        const after = {
          ...(update.version !== undefined ? { version: update.version } : {}),
          ...(update.status !== undefined ? { status: update.status } : {}),
          ...(update.attributes !== undefined ? { attributes: { ...ci.attributes, ...update.attributes } } : {}),
        };
        if (Object.keys(after).length === 0) continue;
        await updateRows(tx, ConfigurationItemEntity, { key: update.ci }, after);
        await this.audit.append(tx, { entity: 'ci', entityId: update.ci, action: 'ci.updated_by_change', actor: changeId, data: { before: { version: ci.version, status: ci.status }, after } });
      }
      await tx.update(ChangeRequestEntity, { id: changeId }, { completedAt: now, closureCode, reviewDueAt: reviewDueMs ? new Date(now.getTime() + reviewDueMs) : null });
      await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.completed', actor: 'steward', data: { closureCode, ciUpdates: change.plan.ciUpdates ?? [] } });
    });
  }

  /**
   * Failure: a record the incident module picks up, and a review owed. Returns the record as
   * stored (a retry gets the first one back), with the first production CI of the change, the
   * service an incident for it is opened on.
   */
  async fail(changeId: string, endState: string, reason: string, failedStep?: string, reviewDueMs?: number): Promise<RecordedChangeFailure> {
    return this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId } });
      if (!change) throw new StewardError('not_found', `change ${changeId} not found`);
      const productionKeys = new Set(
        (await tx.find(ConfigurationItemEntity, { select: { key: true }, where: { key: In(change.ciKeys), environment: 'production' } })).map((ci) => ci.key),
      );
      const production = productionKeys.size > 0;
      const inserted = await insertRows(
        tx,
        ChangeFailureEntity,
        [Object.assign(new ChangeFailureEntity(), { changeId, at: new Date(), endState, reason, failedStep: failedStep ?? null, production, incidentId: null })],
        { ignoreConflicts: true },
      );
      if (inserted > 0) {
        await tx.update(ChangeRequestEntity, { id: changeId }, { closureCode: endState, reviewDueAt: reviewDueMs ? new Date(Date.now() + reviewDueMs) : null });
        await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.failed', actor: 'steward', data: { endState, reason, failedStep: failedStep ?? null, production } });
      }
      const stored = await tx.findOneOrFail(ChangeFailureEntity, { where: { changeId } });
      return {
        changeId,
        title: change.title,
        endState: stored.endState,
        reason: stored.reason,
        failedStep: stored.failedStep,
        production: stored.production,
        productionCi: change.ciKeys.find((key) => productionKeys.has(key)) ?? null,
        incidentId: stored.incidentId,
      };
    });
  }

  /**
   * A change manager settles a change its workflow can no longer finish (the recorded run was
   * reset, terminated, or ended without moving the change): the change becomes `failed` with the
   * reason and who decided, owes a post-implementation review, and leaves the attention list.
   * Nothing executes. The domain decides whether it may (`settlementRefusal`).
   */
  async settle(changeId: string, actor: string, reason: string, reviewDueMs: number, recordedRun: { runId: string | null; status: string; running: boolean }): Promise<ChangeRequestEntity> {
    return this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw new StewardError('not_found', `change ${changeId} not found`);
      const refusal = settlementRefusal({ changeId, state: change.state, final: isFinalChangeState(change.state), recordedRunRunning: recordedRun.running, attention: change.attentionReason !== null });
      if (refusal) throw new StewardError('conflict', refusal);
      const now = new Date();
      const production = (await tx.count(ConfigurationItemEntity, { where: { key: In(change.ciKeys), environment: 'production' } })) > 0;
      await insertRows(
        tx,
        ChangeFailureEntity,
        [Object.assign(new ChangeFailureEntity(), { changeId, at: now, endState: 'failed', reason: `settled by ${actor}: ${reason}`, failedStep: null, production, incidentId: null })],
        { ignoreConflicts: true },
      );
      const reviewDueAt = new Date(now.getTime() + reviewDueMs);
      await tx.update(ChangeRequestEntity, { id: changeId }, { state: 'failed', endReason: reason, closureCode: 'failed', reviewDueAt, attentionReason: null, attentionAt: null });
      const data = { from: change.state, to: 'failed', reason, settled: true, attention: change.attentionReason, recordedRun };
      await insertRows(tx, ChangeEventEntity, [Object.assign(new ChangeEventEntity(), { changeId, eventKey: `settled:${now.getTime()}`, at: now, type: 'state_changed', actor, data })]);
      await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.settled', actor, at: now, data: { ...data, reviewDueAt: reviewDueAt.toISOString() } });
      return tx.findOneOrFail(ChangeRequestEntity, { where: { id: changeId } });
    });
  }

  /** The incident opened for a failed change, linked once (a retry finds it already linked). */
  async linkFailureIncident(changeId: string, incidentId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { affected } = await tx.update(ChangeFailureEntity, { changeId, incidentId: IsNull() }, { incidentId });
      if (!affected) return;
      await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.failure_incident_opened', actor: 'steward', data: { incidentId } });
    });
    await this.event(changeId, 'failure_incident', 'incident_opened', 'steward', { incidentId });
  }

  /** Reminders to the groups whose approvals are missing; escalations to the change managers. */
  async notifyApprovers(changeId: string, kind: 'approval_reminder' | 'approval_escalation', missing: string[], policy: PolicySnapshot): Promise<void> {
    const change = await this.change(changeId);
    const groups =
      kind === 'approval_escalation'
        ? ['change-managers']
        : [...new Set(policy.rules.flatMap((rule) => [...(rule.groups ?? []), ...(rule.anyOf ?? []).flatMap((alt) => alt.groups ?? [])]))];
    const message =
      kind === 'approval_escalation'
        ? `${changeId} "${change.title}" is still awaiting approval: ${missing.join('; ')}`
        : `Reminder: ${changeId} "${change.title}" awaits your decision: ${missing.join('; ')}`;
    // Through the notifier, so approvers hear about it on the webhook as well as in the app.
    await this.notifier.notify({ recipients: groups.map((group) => `group:${group}`), kind, message, changeId, dedupeKey: `${changeId}:${kind}:${change.planHash}` });
    await this.event(changeId, `${kind}:${change.planHash}`, kind, 'steward', { groups, missing });
  }
}
