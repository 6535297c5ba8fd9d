import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  cancelChangeUpdate,
  changeWorkflowId,
  type ChangeSnapshot,
  type ChangeWorkflowInput,
  type ImplementationPlan,
} from '@steward/contracts';
import { StewardError, formatChangeId, isFinalChangeState, planProblems } from '@steward/domain';
import type { Principal } from '@steward/identity';
import {
  AuditLog,
  ChangeEventEntity,
  ChangeReadModel,
  ChangeRequestEntity,
  ConfigurationItemEntity,
  computePlanHash,
} from '@steward/persistence';
import { TemporalSettings } from '@steward/temporal';
import { Client } from '@temporalio/client';
import type { changeWorkflow } from '@steward/workflows';
import { DataSource, In } from 'typeorm';
import { fromTemporalError } from '../common/temporal-errors';
import { invalidFields } from '../common/validation';
import type { CreateChangeDto } from './dtos/create-change.dto';
import type { ListChangesQuery } from './dtos/list-changes.query';
import type { ChangePage, ChangeSubmittedResponse, ChangeView, TimelineEntry } from './dtos/change.responses';

/** How long the API waits for the workflow engine before it answers 503. */
const TEMPORAL_DEADLINE_MS = 10_000;

@Injectable()
export class ChangeService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly readModel: ChangeReadModel,
    private readonly audit: AuditLog,
    private readonly temporal: Client,
    private readonly settings: TemporalSettings,
  ) {}

  /**
   * Records the change, then starts its workflow. The row is committed first because the
   * workflow's first activity reads it; when the start fails the row is removed again, so a
   * change never exists without its process and a failed submission leaves nothing behind.
   */
  async submit(requester: Principal, dto: CreateChangeDto): Promise<ChangeSubmittedResponse> {
    const problems = planProblems(dto.plan.steps);
    if (dto.requestedWindow && Date.parse(dto.requestedWindow.end) <= Date.parse(dto.requestedWindow.start)) {
      problems.push({ field: 'requestedWindow.end', message: 'must be after requestedWindow.start' });
    }
    (dto.plan.ciUpdates ?? []).forEach((update, index) => {
      if (!dto.cis.includes(update.ci)) problems.push({ field: `plan.ciUpdates.${index}.ci`, message: `${update.ci} is not one of the change's cis` });
    });
    if (problems.length > 0) throw invalidFields(problems);

    const known = await this.db.getRepository(ConfigurationItemEntity).find({ select: { key: true }, where: { key: In(dto.cis) } });
    const unknown = dto.cis.filter((key) => !known.some((ci) => ci.key === key));
    if (unknown.length > 0) throw invalidFields([{ field: 'cis', message: `unknown configuration items: ${unknown.join(', ')}` }]);

    const plan: ImplementationPlan = {
      steps: dto.plan.steps.map(({ id, name, kind, action, rollback, estimatedMinutes }) => ({ id, name, kind, action, rollback, estimatedMinutes })),
      ...(dto.plan.ciUpdates?.length ? { ciUpdates: dto.plan.ciUpdates.map((u) => ({ ...u })) } : {}),
    };
    const planHash = computePlanHash(plan, dto.backoutPlan);

    const id = await this.db.transaction(async (tx) => {
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
        data: { type: dto.type, cis: dto.cis, planHash, title: dto.title },
      });
      return changeId;
    });

    const workflowId = changeWorkflowId(id);
    const input: ChangeWorkflowInput = {
      changeId: id,
      type: dto.type,
      title: dto.title,
      requester: { id: requester.id, name: requester.name },
      ciKeys: dto.cis,
      planHash,
      stepIds: plan.steps.map((s) => s.id),
    };
    try {
      await this.temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
        this.temporal.workflow.start<typeof changeWorkflow>('changeWorkflow', {
          workflowId,
          taskQueue: this.settings.taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { title: dto.title, requester: requester.id },
        }),
      );
    } catch (error) {
      await this.withdraw(id);
      if ((error as Error)?.name === 'WorkflowExecutionAlreadyStartedError') {
        throw new StewardError(
          'conflict',
          `workflow ${workflowId} already exists on the Temporal server although ${id} is new: the database and Temporal belong to different installations`,
        );
      }
      throw fromTemporalError(error, `starting the workflow of ${id}`);
    }
    return { id, state: 'submitted', workflowId };
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

  async get(id: string): Promise<ChangeView> {
    const change = await this.readModel.findChange(id);
    if (!change) throw new StewardError('not_found', `change ${id} not found`);
    return toView(change);
  }

  async list(query: ListChangesQuery): Promise<ChangePage> {
    const qb = this.db.getRepository(ChangeRequestEntity).createQueryBuilder('c');
    if (query.state) qb.andWhere('c.state = :state', { state: query.state });
    if (query.ci) qb.andWhere(':ci = ANY(c.ci_keys)', { ci: query.ci });
    if (query.from) qb.andWhere('c.created_at >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('c.created_at < :to', { to: new Date(query.to) });
    const [rows, total] = await qb.orderBy('c.number', 'DESC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items: rows.map(toView), total, limit: query.limit, offset: query.offset };
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    if (!(await this.readModel.findChange(id))) throw new StewardError('not_found', `change ${id} not found`);
    const events = await this.readModel.timeline(id);
    return events.map((e) => ({ at: e.at.toISOString(), type: e.type, actor: e.actor, data: e.data }));
  }

  async cancel(caller: Principal, id: string, reason: string): Promise<ChangeSnapshot> {
    const change = await this.readModel.findChange(id);
    if (!change) throw new StewardError('not_found', `change ${id} not found`);
    const isRequester = change.requesterId === caller.id;
    if (!isRequester && !caller.roles.includes('change_manager') && !caller.roles.includes('admin')) {
      throw new StewardError('forbidden', 'only the requester or a change manager may cancel this change');
    }
    if (isFinalChangeState(change.state)) throw new StewardError('conflict', `change ${id} is ${change.state} and can no longer be cancelled`);
    try {
      return await this.temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
        this.temporal.workflow.getHandle(change.workflowId).executeUpdate(cancelChangeUpdate, {
          args: [{ actor: { id: caller.id, name: caller.name }, reason }],
        }),
      );
    } catch (error) {
      throw fromTemporalError(error, `cancelling ${id}`);
    }
  }
}

function toView(change: ChangeRequestEntity): ChangeView {
  return {
    id: change.id,
    title: change.title,
    description: change.description,
    type: change.type,
    state: change.state,
    risk: { score: null, level: null },
    planHash: change.planHash,
    approvals: [],
    requiredApprovals: [],
    schedule: { windowStart: null, windowEnd: null },
    steps: change.plan.steps.map((s) => ({ id: s.id, name: s.name, kind: s.kind, state: 'pending' })),
    closureCode: change.closureCode,
    workflowId: change.workflowId,
    cis: change.ciKeys,
    requester: { id: change.requesterId, name: change.requesterName },
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
