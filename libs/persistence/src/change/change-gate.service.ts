import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PlanStep, SignedDecision } from '@steward/contracts';
import { StewardError, evaluateApprovals } from '@steward/domain';
import { AuthorizationTokens, DecisionVerifier, InvalidAuthorizationToken, type AuthorizationClaims } from '@steward/security';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { insertRows } from '../insert-rows';
import { ChangeApprovalEntity, ChangeAuthorizationEntity, ChangeTemplateEntity } from './change-approval.entities';
import { ChangeRequestEntity } from './change-request.entity';
import { computePlanHash } from './plan-hash';
import { templateDeviation } from './standard-template';

/** Small allowance for the gap between the workflow's timer and the gate's clock. */
const CLOCK_SKEW_MS = 5_000;

/** States in which executors may act: implementation, verification, and rollback of them. */
const EXECUTING = new Set(['implementing', 'verifying', 'rolling_back']);

const refused = (message: string) => new StewardError('forbidden', message);

/**
 * The authorization gate (layer 3 of the guarantee). It trusts nothing the workflow says
 * except which change and run are asking: it recomputes the plan hash from the stored plan,
 * verifies every counted decision's signature, re-evaluates the quorum under the policy frozen
 * on the change (or re-matches the standard template), and only then issues a token bound to
 * change, plan hash, run and interval. Executors call `admit` before every action.
 */
@Injectable()
export class ChangeGateService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly signer: DecisionVerifier,
    private readonly tokens: AuthorizationTokens,
    private readonly audit: AuditLog,
  ) {}

  async authorize(changeId: string, runId: string, window: { start: string; end: string }, now = new Date()): Promise<{ token: string }> {
    try {
      return await this.db.transaction(async (tx) => {
        const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
        if (!change) throw refused(`change ${changeId} has no record: it was not submitted through Steward`);
        if (!change.workflowRunId || change.workflowRunId !== runId) throw refused(`run ${runId} is not the workflow run Steward started for ${changeId}`);
        if (change.state !== 'implementing') throw refused(`change ${changeId} is ${change.state}, not implementing`);
        const planHash = computePlanHash(change.plan, change.backoutPlan);
        if (planHash !== change.planHash) throw refused('the stored plan does not match its recorded hash');

        const start = Date.parse(window.start);
        const end = Date.parse(window.end);
        if (!(end > start) || now.getTime() < start - CLOCK_SKEW_MS || now.getTime() >= end) {
          throw refused(`now (${now.toISOString()}) is outside the interval ${window.start} .. ${window.end}`);
        }

        const existing = await tx.findOne(ChangeAuthorizationEntity, { where: { changeId } });
        if (existing) {
          // A retried gate call from the same run gets the same token back; anything else never does.
          if (existing.runId === runId && existing.planHash === planHash) {
            return { token: this.issue(changeId, planHash, runId, existing.windowStart, existing.windowEnd, existing.issuedAt, existing.tokenId).token };
          }
          throw refused(`change ${changeId} was already authorized once; a new execution needs a new change`);
        }

        const basis = await this.basis(tx, change, planHash);
        const issued = this.issue(changeId, planHash, runId, new Date(start), new Date(end), now);
        await insertRows(tx, ChangeAuthorizationEntity, [
          Object.assign(new ChangeAuthorizationEntity(), { changeId, tokenId: issued.claims.tokenId, runId, planHash, windowStart: new Date(start), windowEnd: new Date(end), basis, issuedAt: now }),
        ]);
        await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.authorized', actor: 'steward', data: { planHash, window, basis } });
        return { token: issued.token };
      });
    } catch (error) {
      if (error instanceof StewardError) await this.audit.record({ entity: 'change', entityId: changeId, action: 'change.authorization_refused', actor: 'steward', data: { runId, reason: error.message } });
      throw error;
    }
  }

  private issue(changeId: string, planHash: string, runId: string, start: Date, end: Date, issuedAt: Date, tokenId?: string) {
    return this.tokens.issue({ changeId, planHash, runId, windowStart: start.toISOString(), windowEnd: end.toISOString() }, issuedAt, tokenId);
  }

  /** What the authorization rests on: the standard template, or verified signed approvals. */
  private async basis(tx: EntityManager, change: ChangeRequestEntity, planHash: string): Promise<Record<string, unknown>> {
    if (change.type === 'standard') {
      const template = await tx.findOne(ChangeTemplateEntity, { where: { templateId: change.templateId ?? '', active: true }, order: { version: 'DESC' } });
      const deviation = templateDeviation(template, change.plan.steps, change.ciKeys);
      if (deviation) throw refused(`standard change does not match its template: ${deviation}`);
      return { model: 'standard', templateId: template!.templateId, templateVersion: template!.version, cabApproval: template!.cabApproval };
    }
    const policy = change.policySnapshot;
    if (!policy) throw refused('no approval policy was recorded for this change');
    const approvals = await tx.find(ChangeApprovalEntity, { where: { changeId: change.id, voided: false, planHash }, order: { at: 'ASC' } });
    for (const approval of approvals) {
      const decision: SignedDecision = {
        changeId: approval.changeId,
        planHash: approval.planHash,
        approver: approval.identity,
        decision: approval.decision,
        comment: approval.comment,
        at: approval.at.toISOString(),
        signature: approval.signature.trim(),
      };
      if (!this.signer.verify(decision)) throw refused(`the decision of ${approval.approverId} does not carry a valid Steward signature`);
    }
    const verdict = evaluateApprovals(
      policy,
      approvals.map((a) => ({ approver: a.approverId, approverName: a.approverName, decision: a.decision, comment: a.comment, planHash: a.planHash, at: a.at.toISOString(), voided: a.voided, identity: a.identity })),
      change.requesterId,
      planHash,
    );
    if (verdict.outcome !== 'approved') throw refused(`the quorum of policy ${policy.name} v${policy.version} does not hold: ${verdict.missing.join('; ') || verdict.outcome}`);
    return {
      model: change.type,
      policy: { id: policy.policyId, version: policy.version, name: policy.name },
      approvals: approvals.map((a) => ({ approver: a.approverId, decision: a.decision, at: a.at.toISOString(), signature: a.signature.trim() })),
    };
  }

  /**
   * Checks an executor's token against the recorded authorization and the change as it is
   * now, and returns the step to run as the stored, hashed plan has it.
   */
  async admit(token: unknown, changeId: string, stepId: string, phase: 'action' | 'rollback', now = new Date()): Promise<{ claims: AuthorizationClaims; step: PlanStep }> {
    let claims: AuthorizationClaims;
    try {
      claims = this.tokens.verify(token);
    } catch (error) {
      throw refused((error as InvalidAuthorizationToken).message);
    }
    if (claims.changeId !== changeId) throw refused(`the token is for ${claims.changeId}, not ${changeId}`);
    const [change, authorization] = await Promise.all([
      this.db.getRepository(ChangeRequestEntity).findOne({ where: { id: changeId } }),
      this.db.getRepository(ChangeAuthorizationEntity).findOne({ where: { changeId } }),
    ]);
    if (!change || !authorization) throw refused(`change ${changeId} has no recorded authorization`);
    if (authorization.tokenId !== claims.tokenId || authorization.runId !== claims.runId || authorization.planHash !== claims.planHash) {
      throw refused('the token does not match the recorded authorization');
    }
    if (!EXECUTING.has(change.state)) throw refused(`change ${changeId} is ${change.state}: nothing may be executed`);
    if (computePlanHash(change.plan, change.backoutPlan) !== claims.planHash) throw refused('the plan changed since it was authorized');
    // Rollback must stay possible after the interval closed; new actions must not.
    if (phase === 'action' && now.getTime() >= authorization.windowEnd.getTime()) throw refused('the authorized interval has closed');
    const step = change.plan.steps.find((s) => s.id === stepId);
    if (!step) throw refused(`step ${stepId} is not in the authorized plan`);
    if (step.kind !== 'automated') throw refused(`step ${stepId} is manual: a release engineer performs it`);
    return { claims, step };
  }
}
