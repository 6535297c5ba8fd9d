import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PolicySnapshot, RiskAssessment } from '@steward/contracts';
import { StewardError, assessRisk, resolvePolicy, selectPolicy, type ApprovalPolicyDefinition } from '@steward/domain';
import { DataSource, In } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { ConfigurationItemEntity } from '../cmdb/configuration-item.entity';
import { ImpactAnalysisService } from '../cmdb/impact-analysis.service';
import { ApprovalPolicyEntity, ChangeTemplateEntity } from './change-approval.entities';
import { ChangeEventEntity } from './change-event.entity';
import { ChangeRequestEntity } from './change-request.entity';
import { templateDeviation } from './standard-template';

export interface AssessmentResult {
  risk: RiskAssessment;
  policy?: PolicySnapshot;
  standardAuthorized: boolean;
}

/**
 * Assesses a change: risk from the CMDB (criticality, environment, blast radius), history and
 * plan quality; the authorization model (a standard template match, or the approval policy
 * for its type and risk, resolved and frozen on the change).
 */
@Injectable()
export class ChangeAssessmentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly impact: ImpactAnalysisService,
    private readonly audit: AuditLog,
  ) {}

  async loadPolicies(): Promise<ApprovalPolicyDefinition[]> {
    const rows = await this.db.getRepository(ApprovalPolicyEntity).find({ where: { active: true } });
    return rows.map((row) => ({ ...(row.definition as Omit<ApprovalPolicyDefinition, 'id' | 'version' | 'name'>), id: row.policyId, version: row.version, name: row.name }));
  }

  async activeTemplate(templateId: string | null): Promise<ChangeTemplateEntity | null> {
    if (!templateId) return null;
    return this.db.getRepository(ChangeTemplateEntity).findOne({ where: { templateId, active: true }, order: { version: 'DESC' } });
  }

  async assess(changeId: string): Promise<AssessmentResult> {
    const change = await this.db.getRepository(ChangeRequestEntity).findOne({ where: { id: changeId } });
    if (!change) throw new StewardError('not_found', `change ${changeId} has no record: it was not submitted through Steward`);
    const cis = await this.db.getRepository(ConfigurationItemEntity).find({ where: { key: In(change.ciKeys) } });

    const impacted = new Map<string, number>();
    let usersAffected = 0;
    for (const ci of cis) {
      const analysis = await this.impact.analyse(ci.key, 10);
      usersAffected += analysis.usersAffected;
      for (const hit of analysis.impacted) impacted.set(hit.key, Math.min(hit.criticality, impacted.get(hit.key) ?? 9));
    }
    const [history] = (await this.db.query(
      `SELECT count(*)::int AS changes, count(*) FILTER (WHERE state IN ('rolled_back', 'failed'))::int AS failed
         FROM change_request WHERE id <> $1 AND ci_keys && $2::text[] AND state IN ('completed', 'rolled_back', 'failed')`,
      [changeId, change.ciKeys],
    )) as Array<{ changes: number; failed: number }>;

    let type = change.type;
    let standardAuthorized = false;
    const events: Array<Partial<ChangeEventEntity>> = [];
    if (type === 'standard') {
      const template = await this.activeTemplate(change.templateId);
      const deviation = templateDeviation(template, change.plan.steps, change.ciKeys);
      if (deviation) {
        type = 'normal';
        events.push({ type: 'standard_deviation', data: { templateId: change.templateId, deviation, nowType: 'normal' } });
      } else {
        standardAuthorized = true;
        events.push({ type: 'standard_authorized', data: { templateId: template!.templateId, version: template!.version, cabApproval: template!.cabApproval } });
      }
    }

    const steps = change.plan.steps;
    const risk = assessRisk({
      type,
      cis: cis.map((ci) => ({ key: ci.key, environment: ci.environment, criticality: ci.criticality })),
      blastRadius: { impactedCis: impacted.size, usersAffected, maxImpactedCriticality: impacted.size ? Math.min(...impacted.values()) : null },
      history,
      plan: {
        steps: steps.length,
        automatedSteps: steps.filter((s) => s.kind === 'automated').length,
        stepsWithRollback: steps.filter((s) => Object.keys(s.rollback ?? {}).length > 0).length,
        backoutPlan: change.backoutPlan,
      },
      testEvidence: change.testEvidence,
    });

    let policy: PolicySnapshot | undefined;
    if (!standardAuthorized) {
      const definition = selectPolicy(await this.loadPolicies(), type, risk.level);
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
          .values({ changeId, eventKey: `${event.type}:${change.planHash}:${at.getTime()}:${i}`, at, type: event.type!, actor: 'steward', data: event.data as Record<string, never> })
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
}
