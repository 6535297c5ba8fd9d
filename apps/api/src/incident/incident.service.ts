import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  acceptHandoverUpdate,
  acknowledgeIncidentUpdate,
  assignIncidentUpdate,
  closeIncidentUpdate,
  incidentStateQuery,
  pendIncidentUpdate,
  postStakeholderUpdateUpdate,
  proposeHandoverUpdate,
  reclassifyIncidentUpdate,
  resolveIncidentUpdate,
  resumeIncidentUpdate,
  reviewIncidentUpdate,
  type Actor,
  type IncidentSnapshot,
} from '@steward/contracts';
import { StewardError, blameFindings, slaClockView } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { IncidentEntity, IncidentOpeningService, IncidentRecordsService } from '@steward/persistence';
import { IncidentLauncher } from '@steward/temporal';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { fromTemporalError } from '../common/temporal-errors';
import { invalidFields } from '../common/validation';
import type {
  AssignIncidentDto,
  CreateIncidentDto,
  ListIncidentsQuery,
  PostIncidentReviewDto,
  ReclassifyIncidentDto,
} from './dtos/incident.dtos';

/** How long the API waits for the workflow engine before it answers 503. */
const WORKFLOW_DEADLINE_MS = 10_000;

export interface IncidentView {
  id: string;
  title: string;
  description: string;
  service: string;
  category: string | null;
  priority: string;
  state: string;
  major: boolean;
  classification: IncidentSnapshot['classification'];
  commander: string | null;
  resolvers: string[];
  acknowledgedBy: string | null;
  sla: IncidentSnapshot['sla'] | null;
  escalationLevel: number;
  escalation: IncidentSnapshot['escalation'] | null;
  handover: IncidentSnapshot['handover'];
  stakeholderUpdates: IncidentSnapshot['stakeholderUpdates'] | null;
  reviewRequired: boolean;
  review: IncidentEntity['review'];
  resolution: string | null;
  problemId: string | null;
  source: string;
  changeId: string | null;
  findingId: string | null;
  reportedBy: string;
  callerVip: boolean;
  workflowId: string;
  openedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
}

@Injectable()
export class IncidentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly launcher: IncidentLauncher,
    private readonly opening: IncidentOpeningService,
    private readonly records: IncidentRecordsService,
    private readonly temporal: Client,
  ) {}

  async create(caller: Principal, dto: CreateIncidentDto): Promise<{ id: string; priority: string; major: boolean; workflowId: string; classification: IncidentEntity['classification'] }> {
    const opened = await this.launcher
      .open({
        title: dto.title,
        description: dto.description,
        service: dto.service,
        category: dto.category ?? null,
        impact: dto.impact,
        urgency: dto.urgency,
        reportedBy: dto.reportedBy ?? caller.id,
        callerVip: dto.callerVip,
        source: 'api',
      })
      .catch((error: unknown) => {
        if (error instanceof StewardError && error.code === 'invalid' && (error.details as { field?: string } | undefined)?.field === 'service') {
          throw invalidFields([{ field: 'service', message: error.message }]);
        }
        throw error;
      });
    const incident = await this.incident(opened.id);
    return { id: opened.id, priority: opened.priority, major: opened.major, workflowId: opened.workflowId, classification: incident.classification };
  }

  async list(query: ListIncidentsQuery): Promise<{ items: IncidentView[]; total: number; limit: number; offset: number }> {
    const qb = this.db.getRepository(IncidentEntity).createQueryBuilder('i');
    if (query.state) qb.andWhere('i.state = :state', { state: query.state });
    if (query.priority) qb.andWhere('i.priority = :priority', { priority: query.priority });
    if (query.service) qb.andWhere('i.service_key = :service', { service: query.service });
    const [rows, total] = await qb.orderBy('i.number', 'DESC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items: rows.map((row) => toView(row, row.snapshot)), total, limit: query.limit, offset: query.offset };
  }

  /** The read model, with the workflow's live view when it answers (clocks computed now). */
  async get(id: string): Promise<IncidentView> {
    const incident = await this.incident(id);
    let snapshot = incident.snapshot;
    if (incident.state !== 'closed') {
      snapshot = await this.temporal
        .withDeadline(Date.now() + 3_000, () => this.temporal.workflow.getHandle(incident.workflowId).query(incidentStateQuery))
        .catch(() => incident.snapshot);
    }
    return toView(incident, snapshot ? atNow(snapshot, new Date()) : null);
  }

  async timeline(id: string): Promise<Array<{ at: string; type: string; actor: string; data: Record<string, unknown> }>> {
    await this.incident(id);
    return (await this.records.timeline(id)).map((e) => ({ at: e.at.toISOString(), type: e.type, actor: e.actor, data: e.data }));
  }

  acknowledge(caller: Principal, id: string): Promise<IncidentSnapshot> {
    return this.send(id, 'acknowledge', (h) => h.executeUpdate(acknowledgeIncidentUpdate, { args: [{ by: actor(caller) }] }));
  }

  async assign(caller: Principal, id: string, dto: AssignIncidentDto): Promise<IncidentSnapshot> {
    if (dto.commander === undefined && dto.resolvers === undefined) throw invalidFields([{ field: 'commander', message: 'give a commander, resolvers, or both' }]);
    const incident = await this.incident(id);
    const commander = dto.commander ?? incident.commander;
    const resolvers = dto.resolvers ?? incident.resolvers;
    if (commander && resolvers.includes(commander)) {
      throw invalidFields([{ field: dto.commander ? 'commander' : 'resolvers', message: `the incident commander may not be a resolver: ${commander} is both` }]);
    }
    return this.send(id, 'assign', (h) => h.executeUpdate(assignIncidentUpdate, { args: [{ by: actor(caller), ...(dto.commander ? { commander: dto.commander } : {}), ...(dto.resolvers ? { resolvers: dto.resolvers } : {}) }] }));
  }

  postUpdate(caller: Principal, id: string, message: string): Promise<IncidentSnapshot> {
    return this.send(id, 'post a stakeholder update on', (h) => h.executeUpdate(postStakeholderUpdateUpdate, { args: [{ by: actor(caller), message }] }));
  }

  pend(caller: Principal, id: string, reason: string): Promise<IncidentSnapshot> {
    return this.send(id, 'set pending', (h) => h.executeUpdate(pendIncidentUpdate, { args: [{ by: actor(caller), reason }] }));
  }

  resume(caller: Principal, id: string): Promise<IncidentSnapshot> {
    return this.send(id, 'resume', (h) => h.executeUpdate(resumeIncidentUpdate, { args: [{ by: actor(caller) }] }));
  }

  resolve(caller: Principal, id: string, resolution: string): Promise<IncidentSnapshot> {
    return this.send(id, 'resolve', (h) => h.executeUpdate(resolveIncidentUpdate, { args: [{ by: actor(caller), resolution }] }));
  }

  async review(caller: Principal, id: string, dto: PostIncidentReviewDto): Promise<IncidentSnapshot> {
    const incident = await this.incident(id);
    const people = [incident.commander, ...incident.resolvers].filter((p): p is string => !!p);
    const blame = blameFindings(dto, people);
    if (blame.length > 0) throw invalidFields(blame);
    const review = {
      timeline: dto.timeline.map((t) => ({ at: t.at, event: t.event })),
      impact: dto.impact,
      contributingFactors: dto.contributingFactors,
      whatWentWell: dto.whatWentWell,
      actions: dto.actions.map((a) => ({ title: a.title, owner: a.owner, dueDate: a.dueDate })),
      ...(dto.rootCause ? { rootCause: dto.rootCause } : {}),
    };
    return this.send(id, 'record the review of', (h) => h.executeUpdate(reviewIncidentUpdate, { args: [{ by: actor(caller), review }] }));
  }

  close(caller: Principal, id: string): Promise<IncidentSnapshot> {
    return this.send(id, 'close', (h) => h.executeUpdate(closeIncidentUpdate, { args: [{ by: actor(caller) }] }));
  }

  async reclassify(caller: Principal, id: string, dto: ReclassifyIncidentDto): Promise<IncidentSnapshot> {
    const { classification, sla } = await this.opening.reclassify(id, dto.impact, dto.urgency);
    return this.send(id, 'reclassify', (h) => h.executeUpdate(reclassifyIncidentUpdate, { args: [{ by: actor(caller), classification, sla, reason: dto.reason }] }));
  }

  proposeHandover(caller: Principal, id: string, to: string): Promise<IncidentSnapshot> {
    return this.send(id, 'hand over command of', (h) => h.executeUpdate(proposeHandoverUpdate, { args: [{ by: actor(caller), to }] }));
  }

  acceptHandover(caller: Principal, id: string): Promise<IncidentSnapshot> {
    return this.send(id, 'accept command of', (h) => h.executeUpdate(acceptHandoverUpdate, { args: [{ by: actor(caller) }] }));
  }

  private async incident(id: string): Promise<IncidentEntity> {
    const incident = await this.db.getRepository(IncidentEntity).findOne({ where: { id } });
    if (!incident) throw new StewardError('not_found', `incident ${id} not found`);
    return incident;
  }

  private async send<T>(id: string, what: string, call: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    const incident = await this.incident(id);
    if (incident.state === 'closed') throw new StewardError('conflict', `incident ${id} is closed: cannot ${what} it`);
    try {
      return await this.temporal.withDeadline(Date.now() + WORKFLOW_DEADLINE_MS, () => call(this.temporal.workflow.getHandle(incident.workflowId)));
    } catch (error) {
      throw fromTemporalError(error, `${what} ${id}`);
    }
  }
}

/**
 * A query answers as of the workflow's last task; the clocks' figures (elapsed, remaining,
 * due) are recomputed from their facts at the time of the request, so remaining time is true
 * to the second. A closed incident's clocks are stopped, so its figures no longer move.
 */
function atNow(snapshot: IncidentSnapshot, now: Date): IncidentSnapshot {
  if (!snapshot.clocks) return snapshot;
  const view = (kind: 'response' | 'resolution') => {
    const shown = snapshot.sla[kind];
    return shown ? slaClockView(snapshot.clocks![kind], shown.targetMs !== null, shown.breached, now) : shown;
  };
  return { ...snapshot, sla: { ...snapshot.sla, response: view('response'), resolution: view('resolution') }, asOf: now.toISOString() };
}

function actor(caller: Principal): Actor {
  return { id: caller.id, name: caller.name };
}

function toView(incident: IncidentEntity, snapshot: IncidentSnapshot | null): IncidentView {
  return {
    id: incident.id,
    title: incident.title,
    description: incident.description,
    service: incident.serviceKey,
    category: incident.category,
    priority: snapshot?.priority ?? incident.priority,
    state: snapshot?.state ?? incident.state,
    major: snapshot?.major ?? incident.major,
    classification: snapshot?.classification ?? incident.classification,
    commander: snapshot?.commander ?? incident.commander,
    resolvers: snapshot?.resolvers ?? incident.resolvers,
    acknowledgedBy: snapshot?.acknowledgedBy ?? null,
    sla: snapshot ? { response: snapshot.sla.response, resolution: snapshot.sla.resolution, definition: snapshot.sla.definition } : null,
    escalationLevel: snapshot?.escalation.level ?? incident.escalationLevel,
    escalation: snapshot?.escalation ?? null,
    handover: snapshot?.handover ?? null,
    stakeholderUpdates: snapshot?.stakeholderUpdates ?? null,
    reviewRequired: snapshot?.reviewRequired ?? false,
    review: incident.review,
    resolution: incident.resolution,
    problemId: snapshot?.problemId ?? incident.problemId,
    source: incident.source,
    changeId: incident.changeId,
    findingId: incident.findingId,
    reportedBy: incident.reportedBy,
    callerVip: incident.callerVip,
    workflowId: incident.workflowId,
    openedAt: incident.openedAt.toISOString(),
    acknowledgedAt: incident.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: incident.resolvedAt?.toISOString() ?? null,
    closedAt: incident.closedAt?.toISOString() ?? null,
  };
}
