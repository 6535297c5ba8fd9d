import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ChangeTransition, ImplementationPlan, PolicySnapshot, RiskAssessment, SignedDecision, StepState } from '@steward/contracts';
import {
  BLAST_RADIUS_DEPTH,
  StewardError,
  assessRisk,
  blastRadius,
  canMoveStep,
  changeModel,
  failedChangeIncident,
  failedChangeService,
  isFinalChangeState,
  planQuality,
  resolvePolicy,
  selectPolicy,
  transitionRefusal,
  type ApprovalPolicyDefinition,
} from '@steward/domain';
import { freezesAt } from '@steward/domain/calendar';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import {
  ApprovalPolicyEntity,
  AuditLog,
  ChangeApprovalEntity,
  ChangeDecisionService,
  ChangeEventEntity,
  ChangeFailureEntity,
  ChangeFreezeEntity,
  ChangeGateService,
  ChangeRequestEntity,
  ChangeStepEntity,
  ChangeTemplateEntity,
  ConfigurationItemEntity,
  ImpactAnalysisService,
  Notifier,
  SchedulingService,
  type DecisionAcceptance,
  freezePeriodOf,
  insertRows,
  updateRows,
} from '@steward/persistence';
import { log } from '@temporalio/activity';
import { DataSource, In, IsNull, LessThanOrEqual, MoreThan } from 'typeorm';
import { IncidentLauncher } from '@steward/temporal';
import { ChangeRunBinding } from './change-run-binding';

export interface AssessmentResult {
  risk: RiskAssessment;
  policy?: PolicySnapshot;
  standardAuthorized: boolean;
}

const noRecord = (changeId: string) => new StewardError('not_found', `change ${changeId} has no record: it was not submitted through Steward`);

/**
 * The change workflow's application service: each activity is one use case of the change
 * record, over the entities and the audit chain, idempotent under retries (activities run at
 * least once); the rules it applies are in libs/domain. Step execution lives in
 * ChangeExecutionActivities. Each one first asks the run binding whether its caller is the
 * workflow run recorded on the change (from the activity context, never the input): nothing
 * else writes to a change, reads its decisions' verdicts or gets its token.
 */
@Injectable()
export class ChangeActivities {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly impact: ImpactAnalysisService,
    private readonly notifier: Notifier,
    private readonly decisions: ChangeDecisionService,
    private readonly gate: ChangeGateService,
    private readonly scheduling: SchedulingService,
    private readonly incidents: IncidentLauncher,
    private readonly binding: ChangeRunBinding,
  ) {}

  /**
   * Applies one transition of the workflow to the change record and its timeline. `sequence` is
   * the transition's position in the workflow's history: a retry writes the same event key and
   * changes nothing. A new transition must be one the lifecycle allows from the state stored
   * now; anything else is refused (audited) and changes nothing.
   */
  async recordChangeTransition(input: { changeId: string; sequence: number; transition: ChangeTransition }): Promise<void> {
    await this.binding.verify(input.changeId);
    const { changeId, sequence, transition } = input;
    const refusal = await this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw noRecord(changeId);
      const eventKey = `transition:${sequence}`;
      // A re-delivery of a transition already recorded: accepted, and nothing moves again.
      if (await tx.exists(ChangeEventEntity, { where: { changeId, eventKey } })) return undefined;
      const reason = transitionRefusal(changeId, change.state, transition);
      if (reason) {
        await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.transition_refused', actor: transition.actor, data: { stored: change.state, from: transition.from, to: transition.to, sequence, reason } });
        return reason;
      }
      await tx.insert(ChangeEventEntity, {
        changeId,
        eventKey,
        at: new Date(transition.at),
        type: 'state_changed',
        actor: transition.actor,
        data: { from: transition.from, to: transition.to, ...(transition.reason ? { reason: transition.reason } : {}) },
      });
      const final = isFinalChangeState(transition.to);
      await tx.update(ChangeRequestEntity, { id: changeId }, { state: transition.to, ...(final ? { endReason: transition.reason ?? null } : {}) });
      await this.audit.append(tx, {
        entity: 'change',
        entityId: changeId,
        action: 'change.state_changed',
        actor: transition.actor,
        at: new Date(transition.at),
        data: { from: transition.from, to: transition.to, ...(transition.reason ? { reason: transition.reason } : {}) },
      });
      return undefined;
    });
    if (refusal) throw new StewardError('conflict', refusal);
  }

  /**
   * Assesses a change: risk from the CMDB (criticality, environment, blast radius), history and
   * plan quality; the authorization model (a standard template match, or the approval policy
   * for its type and risk, resolved and frozen on the change).
   */
  async assessChange(input: { changeId: string }): Promise<AssessmentResult> {
    await this.binding.verify(input.changeId);
    const { changeId } = input;
    const change = await this.db.getRepository(ChangeRequestEntity).findOne({ where: { id: changeId } });
    if (!change) throw noRecord(changeId);
    const cis = await this.db.getRepository(ConfigurationItemEntity).find({ where: { key: In(change.ciKeys) } });
    const analyses = [];
    for (const ci of cis) analyses.push(await this.impact.analyse(ci.key, BLAST_RADIUS_DEPTH));
    const [history] = (await this.db.query(
      `SELECT count(*)::int AS changes, count(*) FILTER (WHERE state IN ('rolled_back', 'failed'))::int AS failed
         FROM change_request WHERE id <> $1 AND ci_keys && $2::text[] AND state IN ('completed', 'rolled_back', 'failed')`,
      [changeId, change.ciKeys],
    )) as Array<{ changes: number; failed: number }>;
    const template =
      change.type === 'standard' && change.templateId
        ? await this.db.getRepository(ChangeTemplateEntity).findOne({ where: { templateId: change.templateId, active: true }, order: { version: 'DESC' } })
        : null;
    const { type, standardAuthorized, events } = changeModel({ type: change.type, templateId: change.templateId, template, steps: change.plan.steps, ciKeys: change.ciKeys });

    const risk = assessRisk({
      type,
      cis: cis.map((ci) => ({ key: ci.key, environment: ci.environment, criticality: ci.criticality })),
      blastRadius: blastRadius(analyses),
      history,
      plan: planQuality(change.plan.steps, change.backoutPlan),
      testEvidence: change.testEvidence,
    });

    let policy: PolicySnapshot | undefined;
    if (!standardAuthorized) {
      const definition = selectPolicy(await activeApprovalPolicies(this.db), type, risk.level);
      if (!definition) throw new StewardError('conflict', `no approval policy applies to a ${type} change of ${risk.level} risk`);
      policy = resolvePolicy(definition, cis.map((ci) => ({ key: ci.key, ownerGroup: ci.ownerGroup })));
    }

    await this.db.transaction(async (tx) => {
      await tx.update(ChangeRequestEntity, { id: changeId }, { type, risk, policySnapshot: policy ?? null });
      const at = new Date();
      const assessed = { type: 'assessed', data: { risk, policy: policy ? { id: policy.policyId, version: policy.version, name: policy.name } : null, standardAuthorized } };
      for (const [i, event] of [...events, assessed].entries()) {
        await tx
          .createQueryBuilder()
          .insert()
          .into(ChangeEventEntity)
          .values({ changeId, eventKey: `${event.type}:${change.planHash}:${at.getTime()}:${i}`, at, type: event.type, actor: 'steward', data: event.data as Record<string, never> })
          .orIgnore()
          .execute();
      }
      await this.audit.append(tx, {
        entity: 'change',
        entityId: changeId,
        action: 'change.assessed',
        actor: 'steward',
        data: { type, planHash: change.planHash, risk: { score: risk.score, level: risk.level }, policy: policy ? `${policy.policyId}@${policy.version}` : null, standardAuthorized },
      });
    });
    return { risk, ...(policy ? { policy } : {}), standardAuthorized };
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

  /** A replaced plan voids every vote cast so far; audited once, with how many. */
  async voidApprovals(input: { changeId: string; reason: string }): Promise<void> {
    await this.binding.verify(input.changeId);
    await this.db.transaction(async (tx) => {
      const result = await tx.update(ChangeApprovalEntity, { changeId: input.changeId, voided: false }, { voided: true });
      if (!result.affected) return;
      await this.audit.append(tx, { entity: 'change', entityId: input.changeId, action: 'change.approvals_voided', actor: 'steward', data: { reason: input.reason, count: result.affected } });
    });
  }

  /** Stores a revised plan after checking that it is the plan its hash claims; its step records start over. */
  async revisePlan(input: { changeId: string; plan: ImplementationPlan; backoutPlan: string; planHash: string; actor: string }): Promise<void> {
    await this.binding.verify(input.changeId);
    const { changeId, plan, backoutPlan, planHash, actor } = input;
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

  /** Reminders to the groups whose approvals are missing; escalations to the change managers. */
  async notifyApprovers(input: { changeId: string; kind: 'approval_reminder' | 'approval_escalation'; missing: string[]; policy: PolicySnapshot }): Promise<void> {
    await this.binding.verify(input.changeId);
    const { changeId, kind, missing, policy } = input;
    const change = await changeOf(this.db, changeId);
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
    await recordEvent(this.db, changeId, `${kind}:${change.planHash}`, kind, 'steward', { groups, missing });
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
    await updateRows(this.db.manager, ChangeRequestEntity, { id: input.changeId }, { scheduleStart: interval?.start ?? null, scheduleEnd: interval?.end ?? null });
    if (interval) {
      await recordEvent(this.db, input.changeId, `scheduled:${interval.start.getTime()}:${interval.end.getTime()}`, 'scheduled', 'steward', {
        start: interval.start.toISOString(),
        end: interval.end.toISOString(),
        reason: interval.reason,
      });
    }
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
    await recordEvent(this.db, input.changeId, `${input.type}:${Date.now()}`, input.type, 'steward', input.data);
  }

  /**
   * Records a step's progress. Steps only move forward (domain `canMoveStep`): a finished step
   * is never re-opened, so a late or replayed `running` cannot erase that it ran. The same
   * state again is a re-delivery and changes nothing.
   */
  async recordStepState(input: { changeId: string; stepId: string; state: StepState; detail?: string }): Promise<void> {
    await this.binding.verify(input.changeId);
    const { changeId, stepId, state, detail } = input;
    const actor = 'steward';
    const now = new Date();
    const moved = await this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw noRecord(changeId);
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
        [changeId, stepId, position, state, detail ?? null, starts ? now : null, ends ? now : null, null],
      );
      return true;
    });
    if (typeof moved === 'string') throw new StewardError('conflict', moved);
    if (moved) await recordEvent(this.db, changeId, `step:${stepId}:${state}:${now.getTime()}`, 'step_state', actor, { stepId, state, ...(detail ? { detail } : {}) }, now);
  }

  /** The authorization gate: verifies everything again and issues the implementation token. */
  async authorizeImplementation(input: { changeId: string; window: { start: string; end: string } }): Promise<{ token: string }> {
    // The token goes to the calling run, as the activity context names it.
    const caller = await this.binding.verify(input.changeId);
    return this.gate.authorize(input.changeId, caller, input.window);
  }

  /** Success: the CMDB takes the values the plan promised; emergency changes owe a review. */
  async completeChange(input: { changeId: string; closureCode: string; reviewDueMs?: number }): Promise<void> {
    await this.binding.verify(input.changeId);
    const { changeId, closureCode, reviewDueMs } = input;
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
   * Records the failure (a record the incident module picks up, and a review owed) and, when a
   * production CI was touched, opens the incident for it on the first production CI (domain
   * `failedChangeIncident`). The fingerprint makes a retry find the incident it opened before;
   * the link is written after, so a crash in between heals on the retry.
   */
  async recordFailure(input: { changeId: string; endState: string; reason: string; failedStep?: string; reviewDueMs?: number }): Promise<void> {
    await this.binding.verify(input.changeId);
    const { changeId, endState, reason, failedStep, reviewDueMs } = input;
    const failure = await this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId } });
      if (!change) throw new StewardError('not_found', `change ${changeId} not found`);
      const cis = await tx.find(ConfigurationItemEntity, { select: { key: true, environment: true }, where: { key: In(change.ciKeys) } });
      const productionCi = failedChangeService(change.ciKeys, cis);
      const inserted = await insertRows(
        tx,
        ChangeFailureEntity,
        [Object.assign(new ChangeFailureEntity(), { changeId, at: new Date(), endState, reason, failedStep: failedStep ?? null, production: productionCi !== null, incidentId: null })],
        { ignoreConflicts: true },
      );
      if (inserted > 0) {
        await tx.update(ChangeRequestEntity, { id: changeId }, { closureCode: endState, reviewDueAt: reviewDueMs ? new Date(Date.now() + reviewDueMs) : null });
        await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.failed', actor: 'steward', data: { endState, reason, failedStep: failedStep ?? null, production: productionCi !== null } });
      }
      // A retry gets the first record back.
      const stored = await tx.findOneOrFail(ChangeFailureEntity, { where: { changeId } });
      return { changeId, title: change.title, endState: stored.endState, reason: stored.reason, failedStep: stored.failedStep, productionCi: stored.production ? productionCi : null, incidentId: stored.incidentId };
    });
    const request = failedChangeIncident(failure);
    if (!request) return;
    let incident: { id: string };
    try {
      incident = await this.incidents.open(request);
    } catch (error) {
      if (!(error instanceof StewardError)) throw error;
      // An unreachable workflow engine is transient: a plain error keeps the activity retrying.
      if (error.code === 'unavailable') throw new Error(error.message);
      // Any other refusal would end this activity for good and fail the change workflow with it;
      // the failure stays recorded without an incident (incident_id null) and is logged.
      log.warn('no incident opened for a failed change', { changeId, error: error.message });
      return;
    }
    await linkFailureIncident(this.db, this.audit, changeId, incident.id);
  }
}

// Helpers of the use cases above. Module functions, not methods: every method of an activity
// class is registered as an activity, and these must not be callable by any workflow.

async function changeOf(db: DataSource, id: string): Promise<ChangeRequestEntity> {
  const change = await db.getRepository(ChangeRequestEntity).findOne({ where: { id } });
  if (!change) throw noRecord(id);
  return change;
}

/** A fact on the change's timeline, once by its key. */
async function recordEvent(db: DataSource, changeId: string, eventKey: string, type: string, actor: string, data: Record<string, unknown>, at = new Date()): Promise<void> {
  await insertRows(db.manager, ChangeEventEntity, [Object.assign(new ChangeEventEntity(), { changeId, eventKey: eventKey.slice(0, 100), at, type, actor, data })], { ignoreConflicts: true });
}

async function activeApprovalPolicies(db: DataSource): Promise<ApprovalPolicyDefinition[]> {
  const rows = await db.getRepository(ApprovalPolicyEntity).find({ where: { active: true } });
  return rows.map((row) => ({ ...(row.definition as Omit<ApprovalPolicyDefinition, 'id' | 'version' | 'name'>), id: row.policyId, version: row.version, name: row.name }));
}

/** The incident opened for a failed change, linked once (a retry finds it already linked). */
async function linkFailureIncident(db: DataSource, audit: AuditLog, changeId: string, incidentId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { affected } = await tx.update(ChangeFailureEntity, { changeId, incidentId: IsNull() }, { incidentId });
    if (!affected) return;
    await audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.failure_incident_opened', actor: 'steward', data: { incidentId } });
  });
  await recordEvent(db, changeId, 'failure_incident', 'incident_opened', 'steward', { incidentId });
}
