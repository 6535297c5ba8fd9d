import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ProblemProcessOptions } from '@steward/config';
import {
  closeProblemUpdate,
  completeProblemActionUpdate,
  declareKnownErrorUpdate,
  investigateProblemUpdate,
  problemWorkflowDefinition,
  problemWorkflowId,
  recordRootCauseUpdate,
  startFixUpdate,
} from '@steward/contracts';
import { StewardError } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { IncidentEntity, ProblemEntity, ProblemRecordsService, type ProblemActionEntity, type ProblemIncidentEntity } from '@steward/persistence';
import { WorkflowLauncher, WorkflowStartError } from '@steward/temporal';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { DataSource, In } from 'typeorm';
import { fromTemporalError } from '../common/temporal-errors';
import { invalidFields } from '../common/validation';
import type {
  CreateProblemDto,
  FixDto,
  InvestigateProblemDto,
  KnownErrorDto,
  ListProblemsQuery,
  ProblemCreatedResponse,
  ProblemPage,
  ProblemTimelineEntry,
  ProblemView,
  RootCauseDto,
} from './dtos/problem.dtos';

/** How long the API waits for the workflow engine before it answers 503. */
const WORKFLOW_DEADLINE_MS = 10_000;

/**
 * Problems over HTTP: logging one starts its workflow; every step of the investigation is an
 * update the workflow validates, so its refusals come back as 400/404/409. Reads come from the
 * read model, which each update has written before it answers.
 */
@Injectable()
export class ProblemService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly records: ProblemRecordsService,
    private readonly temporal: Client,
    private readonly launcher: WorkflowLauncher,
    private readonly process: ProblemProcessOptions,
  ) {}

  async create(caller: Principal, dto: CreateProblemDto): Promise<ProblemCreatedResponse> {
    const incidents = dto.incidents ?? [];
    if (incidents.length > 0) {
      const known = await this.db.getRepository(IncidentEntity).find({ select: { id: true }, where: { id: In(incidents) } });
      const unknown = incidents.filter((id) => !known.some((i) => i.id === id));
      if (unknown.length > 0) throw invalidFields([{ field: 'incidents', message: `unknown incidents: ${unknown.join(', ')}` }]);
    }
    try {
      const { recorded: problemId, workflowId } = await this.launcher.launch(problemWorkflowDefinition, {
        record: async () => (await this.records.open({ title: dto.title, description: dto.description, createdBy: caller.id, trigger: { kind: 'manual', by: caller.id } })).problemId,
        recordId: (problemId) => problemId,
        start: (problemId) => ({
          workflowId: problemWorkflowId(problemId),
          input: { problemId, title: dto.title, settings: { observationMs: this.process.observationMs, fixPollMs: this.process.fixPollMs }, incidents },
          memo: { title: dto.title, createdBy: caller.id },
        }),
        // A problem never exists without its process.
        undo: (problemId) => this.records.withdraw(problemId),
      });
      return { id: problemId, state: 'new', workflowId };
    } catch (error) {
      if (!(error instanceof WorkflowStartError)) throw error;
      throw fromTemporalError(error.cause, `starting the workflow of ${error.recordId}`);
    }
  }

  async get(id: string): Promise<ProblemView> {
    const problem = await this.records.get(id);
    const [incidents, actions] = await Promise.all([this.records.incidents(id), this.records.actions(id)]);
    return { ...summaryOf(problem), incidents: incidents.map(incidentView), actions: actions.map(actionView) };
  }

  async list(query: ListProblemsQuery): Promise<ProblemPage> {
    const qb = this.db.getRepository(ProblemEntity).createQueryBuilder('p');
    if (query.state) qb.andWhere('p.state = :state', { state: query.state });
    const [rows, total] = await qb.orderBy('p.number', 'DESC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items: rows.map(summaryOf), total, limit: query.limit, offset: query.offset };
  }

  async timeline(id: string): Promise<ProblemTimelineEntry[]> {
    await this.records.get(id);
    return (await this.records.timeline(id)).map((e) => ({ at: e.at.toISOString(), type: e.type, actor: e.actor, data: e.data }));
  }

  investigate(caller: Principal, id: string, dto: InvestigateProblemDto): Promise<ProblemView> {
    return this.send(id, 'start investigating', (h) => h.executeUpdate(investigateProblemUpdate, { args: [{ by: actor(caller), owner: dto.owner, rcaMethod: dto.rcaMethod }] }));
  }

  rootCause(caller: Principal, id: string, dto: RootCauseDto): Promise<ProblemView> {
    return this.send(id, 'record the root cause of', (h) =>
      h.executeUpdate(recordRootCauseUpdate, { args: [{ by: actor(caller), findings: dto.findings, rootCause: dto.rootCause, ...(dto.rcaMethod ? { rcaMethod: dto.rcaMethod } : {}) }] }),
    );
  }

  knownError(caller: Principal, id: string, dto: KnownErrorDto): Promise<ProblemView> {
    return this.send(id, 'declare a known error of', (h) =>
      h.executeUpdate(declareKnownErrorUpdate, { args: [{ by: actor(caller), workaround: dto.workaround, ...(dto.title ? { title: dto.title } : {}) }] }),
    );
  }

  async fix(caller: Principal, id: string, dto: FixDto): Promise<ProblemView> {
    const [change] = (await this.db.query(`SELECT id FROM change_request WHERE id = $1`, [dto.changeId])) as unknown[];
    if (!change) throw invalidFields([{ field: 'changeId', message: `unknown change ${dto.changeId}` }]);
    return this.send(id, 'link a fix to', (h) => h.executeUpdate(startFixUpdate, { args: [{ by: actor(caller), changeId: dto.changeId }] }));
  }

  completeAction(caller: Principal, id: string, actionId: string): Promise<ProblemView> {
    return this.send(id, `complete action ${actionId} of`, (h) => h.executeUpdate(completeProblemActionUpdate, { args: [{ by: actor(caller), actionId }] }));
  }

  close(caller: Principal, id: string): Promise<ProblemView> {
    return this.send(id, 'close', (h) => h.executeUpdate(closeProblemUpdate, { args: [{ by: actor(caller) }] }));
  }

  private async send(id: string, what: string, call: (handle: WorkflowHandle) => Promise<unknown>): Promise<ProblemView> {
    const problem = await this.records.get(id);
    if (problem.state === 'closed') throw new StewardError('conflict', `problem ${id} is closed: cannot ${what} it`);
    try {
      await this.temporal.withDeadline(Date.now() + WORKFLOW_DEADLINE_MS, () => call(this.temporal.workflow.getHandle(problem.workflowId)));
    } catch (error) {
      throw fromTemporalError(error, `${what} ${id}`);
    }
    return this.get(id);
  }
}

const actor = (caller: Principal) => ({ id: caller.id, name: caller.name });
const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

function summaryOf(p: ProblemEntity): Omit<ProblemView, 'incidents' | 'actions'> {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    state: p.state,
    owner: p.owner,
    rcaMethod: p.rcaMethod,
    findings: p.findings,
    rootCause: p.rootCause,
    workaround: p.workaround,
    knownErrorArticleId: p.knownErrorArticleId,
    fixChangeId: p.fixChangeId,
    signature: p.signature,
    trigger: p.trigger,
    reopenReason: p.reopenReason,
    openedAt: p.openedAt.toISOString(),
    resolvedAt: iso(p.resolvedAt),
    observationUntil: iso(p.observationUntil),
    closedAt: iso(p.closedAt),
    workflowId: p.workflowId,
  };
}

function incidentView(link: ProblemIncidentEntity) {
  return { incidentId: link.incidentId, recurrence: link.recurrence, linkedAt: link.linkedAt.toISOString() };
}

function actionView(a: ProblemActionEntity) {
  return {
    id: String(a.id),
    incidentId: a.incidentId,
    title: a.title,
    owner: a.owner,
    dueAt: a.dueAt.toISOString(),
    state: a.state,
    doneAt: iso(a.doneAt),
    doneBy: a.doneBy,
    escalatedAt: iso(a.escalatedAt),
  };
}
