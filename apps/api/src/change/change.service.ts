import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  changeWorkflowDefinition,
  changeWorkflowId,
  type StepState,
} from '@steward/contracts';
import { StewardError, approvalRecord, evaluateApprovals, formatChangeId, identifiedApproval } from '@steward/domain';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import type { Principal } from '@steward/identity';
import {
  AuditLog,
  ChangeApprovalEntity,
  ChangeEventEntity,
  ChangeStepEntity,
  ChangeReadModel,
  ChangeRequestEntity,
  ConfigurationItemEntity,
} from '@steward/persistence';
import { WorkflowLauncher, WorkflowStartError } from '@steward/temporal';
import { ChangeContextService } from './change-context.service';
import { ChangeProcessOptions } from './change-process.options';
import { SodSettings } from './sod-settings';
import { ServiceAccountReach } from '../identity/service-account-reach.service';
import { planProblemsOf, toPlan } from './plan-input';
import { DataSource, In } from 'typeorm';
import { fromTemporalError } from '../common/temporal-errors';
import { invalidFields } from '../common/validation';
import type { CreateChangeDto } from './dtos/create-change.dto';
import type { ListChangesQuery } from './dtos/list-changes.query';
import type { ChangePage, ChangeSubmittedResponse, ChangeView, TimelineEntry } from './dtos/change.responses';

@Injectable()
export class ChangeService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly readModel: ChangeReadModel,
    private readonly audit: AuditLog,
    private readonly launcher: WorkflowLauncher,
    private readonly process: ChangeProcessOptions,
    private readonly context: ChangeContextService,
    private readonly sod: SodSettings,
    private readonly reach: ServiceAccountReach,
  ) {}

  /**
   * Records the change, then starts its workflow. The row is committed first because the
   * workflow's first activity reads it; when the start fails the row is removed again, so a
   * change never exists without its process and a failed submission leaves nothing behind.
   */
  async submit(requester: Principal, dto: CreateChangeDto): Promise<ChangeSubmittedResponse> {
    const problems = planProblemsOf(dto.plan, dto.cis);
    if (dto.requestedWindow && Date.parse(dto.requestedWindow.end) <= Date.parse(dto.requestedWindow.start)) {
      problems.push({ field: 'requestedWindow.end', message: 'must be after requestedWindow.start' });
    }
    if (dto.type === 'standard' && !dto.templateId) problems.push({ field: 'templateId', message: 'a standard change names the template it follows' });
    if (problems.length > 0) throw invalidFields(problems);
    // A pipeline's key restricted to CIs submits changes only for those CIs.
    await this.reach.assertCis(requester, dto.cis, 'POST /api/changes');

    const known = await this.db.getRepository(ConfigurationItemEntity).find({ select: { key: true }, where: { key: In(dto.cis) } });
    const unknown = dto.cis.filter((key) => !known.some((ci) => ci.key === key));
    if (unknown.length > 0) throw invalidFields([{ field: 'cis', message: `unknown configuration items: ${unknown.join(', ')}` }]);

    const plan = toPlan(dto.plan);
    const planHash = computePlanHash(plan, dto.backoutPlan);

    const settings = { ...this.process, sodImplementer: this.sod.implementer };
    try {
      const { recorded: id, workflowId } = await this.launcher.launch(changeWorkflowDefinition, {
        record: () => this.record(requester, dto, plan, planHash),
        recordId: (id) => id,
        start: (id) => ({
          workflowId: changeWorkflowId(id),
          input: {
            changeId: id,
            type: dto.type,
            title: dto.title,
            requester: { id: requester.id, name: requester.name },
            ciKeys: dto.cis,
            planHash,
            steps: plan.steps,
            settings,
          },
          memo: { title: dto.title, requester: requester.id },
        }),
        // The gate authorizes only this run: a workflow started by anyone else gets no token.
        started: async (id, handle) => void (await this.db.getRepository(ChangeRequestEntity).update({ id }, { workflowRunId: handle.firstExecutionRunId })),
        undo: (id) => this.withdraw(id),
      });
      return { id, state: 'submitted', workflowId };
    } catch (error) {
      if (!(error instanceof WorkflowStartError)) throw error;
      throw fromTemporalError(error.cause, `starting the workflow of ${error.recordId}`);
    }
  }

  /** The submission, its first event and its audit entry, in one transaction. */
  private async record(requester: Principal, dto: CreateChangeDto, plan: ReturnType<typeof toPlan>, planHash: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [{ number }] = (await tx.query(`SELECT nextval('change_request_number_seq')::int AS number`)) as Array<{ number: number }>;
      const changeId = formatChangeId(number);
      await tx.save(
        tx.create(ChangeRequestEntity, {
          id: changeId,
          number,
          title: dto.title,
          description: dto.description,
          type: dto.type,
          templateId: dto.templateId ?? null,
          justification: dto.justification,
          ciKeys: dto.cis,
          plan,
          planHash,
          backoutPlan: dto.backoutPlan,
          testEvidence: dto.testEvidence ?? null,
          requestedWindowStart: dto.requestedWindow ? new Date(dto.requestedWindow.start) : null,
          requestedWindowEnd: dto.requestedWindow ? new Date(dto.requestedWindow.end) : null,
          state: 'submitted',
          requesterId: requester.id,
          requesterName: requester.name,
          sodImplementer: this.sod.implementer,
          workflowId: changeWorkflowId(changeId),
        }),
      );
      await tx.insert(ChangeEventEntity, {
        changeId,
        eventKey: 'submitted',
        at: new Date(),
        type: 'submitted',
        actor: requester.id,
        data: { type: dto.type, cis: dto.cis, planHash },
      });
      await this.audit.append(tx, {
        entity: 'change',
        entityId: changeId,
        action: 'change.submitted',
        actor: requester.id,
        data: { type: dto.type, cis: dto.cis, planHash, title: dto.title, sodImplementer: this.sod.implementer, ...(requester.serviceAccount ? { apiKey: requester.serviceAccount.keyId } : {}) },
      });
      return changeId;
    });
  }

  /**
   * Removes a submission whose workflow could not be started. The audit log keeps both the
   * submission and its withdrawal: it is never rewritten.
   */
  private async withdraw(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(ChangeEventEntity, { changeId: id });
      await tx.delete(ChangeRequestEntity, { id, state: 'submitted' });
      await this.audit.append(tx, { entity: 'change', entityId: id, action: 'change.withdrawn', actor: 'steward', data: { reason: 'workflow could not be started' } });
    });
  }

  /** 404 for an unknown change; 403 (audited) for an API key whose CIs do not cover it. */
  async assertReadable(caller: Principal, id: string, what: string): Promise<ChangeRequestEntity> {
    const change = await this.readModel.findChange(id);
    if (!change) throw new StewardError('not_found', `change ${id} not found`);
    await this.reach.assertChange(caller, change, what);
    return change;
  }

  async get(caller: Principal, id: string): Promise<ChangeView> {
    const change = await this.assertReadable(caller, id, 'GET /api/changes/:id');
    const [approvals, steps, conflicts, freezes] = await Promise.all([
      this.db.getRepository(ChangeApprovalEntity).find({ where: { changeId: id }, order: { at: 'ASC' } }),
      this.db.getRepository(ChangeStepEntity).find({ where: { changeId: id } }),
      this.context.conflicts(change),
      this.context.freezes(change),
    ]);
    return { ...toView(change, approvals, steps), conflicts, freezes };
  }

  async list(caller: Principal, query: ListChangesQuery): Promise<ChangePage> {
    const qb = this.db.getRepository(ChangeRequestEntity).createQueryBuilder('c');
    // An API key restricted to CIs lists only the changes it could read one by one.
    const reach = caller.serviceAccount?.cis;
    if (reach) qb.andWhere('c.ci_keys <@ :reach::text[]', { reach });
    if (query.state) qb.andWhere('c.state = :state', { state: query.state });
    if (query.ci) qb.andWhere(':ci = ANY(c.ci_keys)', { ci: query.ci });
    if (query.from) qb.andWhere('c.created_at >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('c.created_at < :to', { to: new Date(query.to) });
    const [rows, total] = await qb.orderBy('c.number', 'DESC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items: rows.map((row) => toView(row)), total, limit: query.limit, offset: query.offset };
  }

  async timeline(caller: Principal, id: string): Promise<TimelineEntry[]> {
    await this.assertReadable(caller, id, 'GET /api/changes/:id/timeline');
    const events = await this.readModel.timeline(id);
    return events.map((e) => ({ at: e.at.toISOString(), type: e.type, actor: e.actor, data: e.data }));
  }
}

function toView(change: ChangeRequestEntity, approvals: ChangeApprovalEntity[] = [], steps: ChangeStepEntity[] = []): ChangeView {
  const records = approvals.map(approvalRecord);
  const evaluation = change.policySnapshot ? evaluateApprovals(change.policySnapshot, approvals.map(identifiedApproval), change.requesterId, change.planHash) : undefined;
  const stepState = new Map(steps.map((s) => [s.stepId, s]));
  return {
    id: change.id,
    title: change.title,
    description: change.description,
    type: change.type,
    state: change.state,
    risk: change.risk ? { score: change.risk.score, level: change.risk.level, factors: change.risk.factors } : { score: null, level: null },
    planHash: change.planHash,
    approvals: records,
    requiredApprovals: evaluation?.rules ?? [],
    policy: change.policySnapshot ? { id: change.policySnapshot.policyId, version: change.policySnapshot.version, name: change.policySnapshot.name } : null,
    schedule: { windowStart: change.scheduleStart?.toISOString() ?? null, windowEnd: change.scheduleEnd?.toISOString() ?? null },
    steps: change.plan.steps.map((s) => {
      const state = stepState.get(s.id);
      return { id: s.id, name: s.name, kind: s.kind, state: (state?.state ?? 'pending') as StepState, ...(state?.detail ? { detail: state.detail } : {}) };
    }),
    endReason: change.endReason,
    reviewDueAt: change.reviewDueAt?.toISOString() ?? null,
    review: change.review,
    closureCode: change.closureCode,
    workflowId: change.workflowId,
    attention: change.attentionReason ? { reason: change.attentionReason, since: (change.attentionAt ?? change.updatedAt).toISOString() } : null,
    cis: change.ciKeys,
    requester: { id: change.requesterId, name: change.requesterName },
    sodImplementer: change.sodImplementer,
    requestedWindow:
      change.requestedWindowStart && change.requestedWindowEnd
        ? { start: change.requestedWindowStart.toISOString(), end: change.requestedWindowEnd.toISOString() }
        : null,
    templateId: change.templateId,
    justification: change.justification,
    backoutPlan: change.backoutPlan,
    testEvidence: change.testEvidence,
    plan: change.plan,
    createdAt: change.createdAt.toISOString(),
    updatedAt: change.updatedAt.toISOString(),
  };
}
