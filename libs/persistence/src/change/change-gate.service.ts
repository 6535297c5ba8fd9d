import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PlanStep } from '@steward/contracts';
import {
  StewardError,
  admission,
  authorizationBasis,
  authorizationVerdict,
  identifiedApproval,
  templateDeviation,
  type CallerRun,
  type ExecutionPhase,
  type LedgerEntry,
} from '@steward/domain';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import { AuthorizationTokens, DecisionVerifier, InvalidAuthorizationToken, type AuthorizationClaims } from '@steward/security';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { insertRows } from '../insert-rows';
import { ChangeApprovalEntity, ChangeAuthorizationEntity, ChangeTemplateEntity } from './change-approval.entities';
import { ChangeExecutionEntity } from './change-execution.entity';
import { ChangeRequestEntity } from './change-request.entity';

const refused = (message: string) => new StewardError('forbidden', message);

/** What the gate lets an executor do with one step. */
export type AdmittedExecution =
  /** Call the executor with this key; the ledger row is claimed (or was, by this run). */
  | { kind: 'execute'; claims: AuthorizationClaims; step: PlanStep; idempotencyKey: string; resumed: boolean }
  /** The executor answered before: its recorded outcome, nothing to execute. */
  | { kind: 'recorded'; outcome: 'succeeded' | 'failed'; detail: string };

const ledgerEntry = (row: ChangeExecutionEntity | undefined): LedgerEntry | null =>
  row ? { runId: row.runId, tokenId: row.tokenId, idempotencyKey: row.idempotencyKey, outcome: row.outcome, detail: row.detail } : null;

/**
 * The authorization gate (layer 3 of the guarantee): loads and stores; the rules are in
 * libs/domain (execution-authorization). It trusts nothing the workflow says: the calling run
 * comes from the activity context, the plan hash is recomputed from the stored plan, every
 * counted decision's signature is verified, and the quorum re-evaluated under the policy frozen
 * on the change (or the standard template re-matched). Executors call `admit` before every
 * action, which claims the step in the execution ledger in the same transaction.
 */
@Injectable()
export class ChangeGateService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly signer: DecisionVerifier,
    private readonly tokens: AuthorizationTokens,
    private readonly audit: AuditLog,
  ) {}

  async authorize(changeId: string, caller: CallerRun, window: { start: string; end: string }, now = new Date()): Promise<{ token: string }> {
    try {
      return await this.db.transaction(async (tx) => {
        const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
        if (!change) throw refused(`change ${changeId} has no record: it was not submitted through Steward`);
        const planHash = computePlanHash(change.plan, change.backoutPlan);
        const existing = await tx.findOne(ChangeAuthorizationEntity, { where: { changeId } });
        const verdict = authorizationVerdict({
          changeId,
          state: change.state,
          callerRunId: caller.runId,
          recordedRunId: change.workflowRunId,
          storedPlanHash: planHash,
          recordedPlanHash: change.planHash,
          window,
          now,
          existing: existing ? { runId: existing.runId, planHash: existing.planHash } : null,
        });
        if (verdict.verdict === 'refused') throw refused(verdict.reason);
        if (verdict.verdict === 'reissue') {
          return { token: this.issue(changeId, planHash, caller.runId, existing!.windowStart, existing!.windowEnd, existing!.issuedAt, existing!.tokenId).token };
        }
        const basis = await this.basis(tx, change, planHash);
        const start = new Date(Date.parse(window.start));
        const end = new Date(Date.parse(window.end));
        const issued = this.issue(changeId, planHash, caller.runId, start, end, now);
        await insertRows(tx, ChangeAuthorizationEntity, [
          Object.assign(new ChangeAuthorizationEntity(), { changeId, tokenId: issued.claims.tokenId, runId: caller.runId, planHash, windowStart: start, windowEnd: end, basis, issuedAt: now }),
        ]);
        await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.authorized', actor: 'steward', data: { planHash, window, basis, runId: caller.runId } });
        return { token: issued.token };
      });
    } catch (error) {
      if (error instanceof StewardError) await this.audit.record({ entity: 'change', entityId: changeId, action: 'change.authorization_refused', actor: 'steward', data: { ...caller, reason: error.message } });
      throw error;
    }
  }

  private issue(changeId: string, planHash: string, runId: string, start: Date, end: Date, issuedAt: Date, tokenId?: string) {
    return this.tokens.issue({ changeId, planHash, runId, windowStart: start.toISOString(), windowEnd: end.toISOString() }, issuedAt, tokenId);
  }

  /** What the authorization rests on, judged by the domain on what is stored. */
  private async basis(tx: EntityManager, change: ChangeRequestEntity, planHash: string): Promise<Record<string, unknown>> {
    const template =
      change.type === 'standard'
        ? await tx.findOne(ChangeTemplateEntity, { where: { templateId: change.templateId ?? '', active: true }, order: { version: 'DESC' } })
        : null;
    const approvals = change.type === 'standard' ? [] : await tx.find(ChangeApprovalEntity, { where: { changeId: change.id, voided: false, planHash }, order: { at: 'ASC' } });
    const verdict = authorizationBasis({
      type: change.type,
      planHash,
      requesterId: change.requesterId,
      template: template ? { templateId: template.templateId, version: template.version, cabApproval: template.cabApproval } : null,
      templateDeviation: change.type === 'standard' ? templateDeviation(template, change.plan.steps, change.ciKeys) : undefined,
      policy: change.policySnapshot,
      approvals: approvals.map((a) => ({
        ...identifiedApproval(a),
        signature: a.signature.trim(),
        signatureValid: this.signer.verify({
          changeId: a.changeId,
          planHash: a.planHash,
          approver: a.identity,
          decision: a.decision,
          comment: a.comment,
          at: a.at.toISOString(),
          signature: a.signature.trim(),
        }),
      })),
    });
    if ('refused' in verdict) throw refused(verdict.refused);
    return verdict.basis;
  }

  /**
   * Admits an executor call of `caller` (the run the activity context names) on one step, and
   * claims the step's (change, step, phase) row in the execution ledger in the same transaction,
   * under a lock on the change row. Returns what to execute, or the outcome recorded before.
   * Throws StewardError('forbidden') with the reason for anything else; the refusal is audited.
   */
  async admit(token: unknown, changeId: string, stepId: string, phase: ExecutionPhase, caller: CallerRun, now = new Date()): Promise<AdmittedExecution> {
    let claims: AuthorizationClaims;
    try {
      claims = this.tokens.verify(token);
    } catch (error) {
      await this.refusal(changeId, stepId, phase, caller, (error as InvalidAuthorizationToken).message);
      throw refused((error as InvalidAuthorizationToken).message);
    }
    let reason: string | undefined;
    const admitted = await this.db.transaction(async (tx): Promise<AdmittedExecution | undefined> => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) {
        reason = `change ${changeId} has no record`;
        return undefined;
      }
      const [authorization, rows] = await Promise.all([
        tx.findOne(ChangeAuthorizationEntity, { where: { changeId } }),
        tx.find(ChangeExecutionEntity, { where: { changeId, stepId } }),
      ]);
      const verdict = admission({
        changeId,
        stepId,
        phase,
        caller,
        recordedRunId: change.workflowRunId,
        claims,
        state: change.state,
        storedPlanHash: computePlanHash(change.plan, change.backoutPlan),
        authorization,
        steps: change.plan.steps,
        ledger: { action: ledgerEntry(rows.find((r) => r.phase === 'action')), rollback: ledgerEntry(rows.find((r) => r.phase === 'rollback')) },
        now,
      });
      if (verdict.verdict === 'refused') {
        reason = verdict.reason;
        return undefined;
      }
      if (verdict.verdict === 'recorded') return { kind: 'recorded', outcome: verdict.outcome, detail: verdict.detail };
      if (verdict.verdict === 'claim') {
        await insertRows(tx, ChangeExecutionEntity, [
          Object.assign(new ChangeExecutionEntity(), { changeId, stepId, phase, claimedAt: now, tokenId: claims.tokenId, runId: caller.runId, idempotencyKey: verdict.idempotencyKey, outcome: null, detail: null, finishedAt: null }),
        ]);
        await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.step_claimed', actor: 'steward', data: { stepId, phase, runId: caller.runId, tokenId: claims.tokenId, idempotencyKey: verdict.idempotencyKey } });
      }
      return { kind: 'execute', claims, step: verdict.step, idempotencyKey: verdict.idempotencyKey, resumed: verdict.verdict === 'resume' };
    });
    if (!admitted) {
      await this.refusal(changeId, stepId, phase, caller, reason!);
      throw refused(reason!);
    }
    return admitted;
  }

  /** Stores the executor's answer on the claimed row, once; a second answer changes nothing. */
  async recordOutcome(changeId: string, stepId: string, phase: ExecutionPhase, outcome: 'succeeded' | 'failed', detail: string, audit: Record<string, unknown>, now = new Date()): Promise<{ outcome: 'succeeded' | 'failed'; detail: string }> {
    return this.db.transaction(async (tx) => {
      const row = await tx.findOne(ChangeExecutionEntity, { where: { changeId, stepId, phase }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new StewardError('conflict', `the ${phase} of step ${stepId} of ${changeId} was never claimed`);
      if (row.outcome) return { outcome: row.outcome, detail: row.detail ?? '' };
      await tx.update(ChangeExecutionEntity, { id: row.id }, { outcome, detail, finishedAt: now });
      await this.audit.append(tx, {
        entity: 'change',
        entityId: changeId,
        action: `change.step_${phase === 'action' ? 'executed' : 'rolled_back'}`,
        actor: 'steward',
        data: { stepId, outcome, detail, tokenId: row.tokenId, runId: row.runId, idempotencyKey: row.idempotencyKey, ...audit },
      });
      return { outcome, detail };
    });
  }

  private async refusal(changeId: string, stepId: string, phase: ExecutionPhase, caller: CallerRun, reason: string): Promise<void> {
    await this.audit.record({ entity: 'change', entityId: changeId, action: 'change.execution_refused', actor: 'steward', data: { stepId, phase, ...caller, reason } });
  }
}
