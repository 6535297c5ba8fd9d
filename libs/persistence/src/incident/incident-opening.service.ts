import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { IncidentProcessSettings, IncidentSlaTerms, IncidentSource, IncidentWorkflowInput } from '@steward/contracts';
import { incidentWorkflowId } from '@steward/contracts';
import {
  DEFAULT_SLA_SCOPE,
  StewardError,
  classifyIncident,
  formatIncidentId,
  slaTermsFor,
  type EscalationPolicy,
  type ImpactRaisingRule,
  type IncidentClassification,
  type Priority,
} from '@steward/domain';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import { ConfigurationItemEntity } from '../cmdb/configuration-item.entity';
import { EscalationPolicyEntity, ImpactRuleEntity, IncidentEntity, SlaDefinitionEntity } from './incident.entities';

export interface OpenIncidentRequest {
  title: string;
  description: string;
  /** CI key of the affected service. */
  service: string;
  category?: string | null;
  impact: number;
  urgency: number;
  reportedBy: string;
  callerVip?: boolean;
  source: IncidentSource;
  alertFingerprint?: string;
  changeId?: string;
  findingId?: string;
}

export interface PreparedIncident {
  /** False when an incident for the same alert fingerprint already existed. */
  created: boolean;
  incident: IncidentEntity;
  input: IncidentWorkflowInput;
}

/**
 * Everything an incident needs before its workflow starts, read from data: the classification
 * (matrix and the CMDB's impact rules), the SLA terms for its priority and service, the
 * escalation policy that will stay pinned to it. Records the incident row; the caller starts
 * the workflow (IncidentLauncher), which records the `opened` fact.
 */
@Injectable()
export class IncidentOpeningService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async prepare(request: OpenIncidentRequest, settings: IncidentProcessSettings): Promise<PreparedIncident> {
    try {
      return await this.insert(request, settings);
    } catch (error) {
      // Two deliveries of the same alert at once: the second loses the race on the unique
      // fingerprint and becomes what it is, a repeat.
      if (request.alertFingerprint && (error as { code?: string }).code === '23505') return this.insert(request, settings);
      throw error;
    }
  }

  private async insert(request: OpenIncidentRequest, settings: IncidentProcessSettings): Promise<PreparedIncident> {
    return this.db.transaction(async (tx) => {
      if (request.alertFingerprint) {
        const existing = await tx.findOne(IncidentEntity, { where: { alertFingerprint: request.alertFingerprint, closedAt: IsNull() } });
        if (existing) return { created: false, incident: existing, input: await this.inputOf(tx, existing, settings) };
      }
      const ci = await tx.findOne(ConfigurationItemEntity, { where: { key: request.service } });
      if (!ci) throw new StewardError('invalid', `unknown service ${request.service}: a service is a CI key`, { field: 'service' });
      const classification = classifyIncident({
        impact: request.impact,
        urgency: request.urgency,
        service: { criticality: ci.criticality, usersAffected: ci.usersAffected },
        rules: await this.impactRules(tx),
      });
      const policy = await this.escalationPolicy(tx, request.service);
      const [{ number }] = (await tx.query(`SELECT nextval('incident_number_seq')::int AS number`)) as Array<{ number: number }>;
      const id = formatIncidentId(number);
      const incident = tx.create(IncidentEntity, {
        id,
        number,
        title: request.title,
        description: request.description,
        serviceKey: request.service,
        category: request.category ?? null,
        reportedImpact: classification.impact.reported,
        impact: classification.impact.effective,
        urgency: classification.urgency,
        priority: classification.priority,
        major: classification.major,
        classification,
        state: 'new',
        source: request.source,
        reportedBy: request.reportedBy,
        callerVip: request.callerVip ?? false,
        commander: null,
        resolvers: [],
        escalationPolicyId: policy.id,
        escalationPolicyVersion: policy.version,
        escalationLevel: 0,
        alertFingerprint: request.alertFingerprint ?? null,
        changeId: request.changeId ?? null,
        findingId: request.findingId ?? null,
        problemId: null,
        resolution: null,
        review: null,
        snapshot: null,
        workflowId: incidentWorkflowId(id),
        openedAt: new Date(),
        acknowledgedAt: null,
        resolvedAt: null,
        closedAt: null,
      });
      await tx.save(incident);
      const sla = await this.slaTerms(tx, request.service, classification.priority);
      return { created: true, incident, input: this.workflowInput(incident, classification, policy, sla, settings) };
    });
  }

  /** A classification of the incident again, for a re-classification message (priority, SLA). */
  async reclassify(incidentId: string, impact: number, urgency: number): Promise<{ incident: IncidentEntity; classification: IncidentClassification; sla: IncidentSlaTerms }> {
    const incident = await this.db.getRepository(IncidentEntity).findOne({ where: { id: incidentId } });
    if (!incident) throw new StewardError('not_found', `incident ${incidentId} not found`);
    const ci = await this.db.getRepository(ConfigurationItemEntity).findOneOrFail({ where: { key: incident.serviceKey } });
    const classification = classifyIncident({
      impact,
      urgency,
      service: { criticality: ci.criticality, usersAffected: ci.usersAffected },
      rules: await this.impactRules(this.db.manager),
    });
    return { incident, classification, sla: await this.slaTerms(this.db.manager, incident.serviceKey, classification.priority) };
  }

  /** The SLA targets in force for a service and priority (the fallback to the default is domain `slaTermsFor`). */
  async slaTerms(tx: EntityManager, service: string, priority: Priority): Promise<IncidentSlaTerms> {
    const definitions = await tx.find(SlaDefinitionEntity, { where: { scope: In([service, DEFAULT_SLA_SCOPE]), priority } });
    const terms = slaTermsFor(
      service,
      priority,
      definitions.map((d) => ({ ...d, responseMs: d.responseMs === null ? null : Number(d.responseMs), resolutionMs: d.resolutionMs === null ? null : Number(d.resolutionMs) })),
    );
    if (!terms) throw new StewardError('unavailable', `no SLA definition for ${priority}: the default definitions are missing`);
    return terms;
  }

  private async impactRules(tx: EntityManager): Promise<ImpactRaisingRule[]> {
    const rows = await tx.find(ImpactRuleEntity, { order: { position: 'ASC' } });
    return rows.map((r) => ({
      id: r.id,
      ...(r.description ? { description: r.description } : {}),
      ...(r.maxCriticality !== null ? { maxCriticality: r.maxCriticality } : {}),
      ...(r.minUsersAffected !== null ? { minUsersAffected: r.minUsersAffected } : {}),
      raiseTo: r.raiseTo as 1 | 2 | 3,
    }));
  }

  private async escalationPolicy(tx: EntityManager, service: string, pinned?: { id: string; version: number }): Promise<EscalationPolicy> {
    const row = pinned
      ? await tx.findOne(EscalationPolicyEntity, { where: { policyId: pinned.id, version: pinned.version } })
      : ((await tx.findOne(EscalationPolicyEntity, { where: { serviceKey: service }, order: { createdAt: 'DESC', version: 'DESC' } })) ??
        (await tx.findOne(EscalationPolicyEntity, { where: { serviceKey: IsNull(), policyId: 'default' }, order: { version: 'DESC' } })));
    if (!row) throw new StewardError('unavailable', 'no escalation policy: the default policy is missing');
    return { id: row.policyId, version: row.version, levels: row.levels, repeat: row.repeat };
  }

  // A repeat of an alert whose workflow never started (a crash between the row and the start)
  // rebuilds the same input from the row, with the policy version it was pinned to.
  private async inputOf(tx: EntityManager, incident: IncidentEntity, settings: IncidentProcessSettings): Promise<IncidentWorkflowInput> {
    const policy = await this.escalationPolicy(tx, incident.serviceKey, { id: incident.escalationPolicyId, version: incident.escalationPolicyVersion });
    const sla = await this.slaTerms(tx, incident.serviceKey, incident.priority);
    return this.workflowInput(incident, incident.classification, policy, sla, settings);
  }

  private workflowInput(incident: IncidentEntity, classification: IncidentClassification, policy: EscalationPolicy, sla: IncidentSlaTerms, settings: IncidentProcessSettings): IncidentWorkflowInput {
    return {
      incidentId: incident.id,
      title: incident.title,
      service: incident.serviceKey,
      category: incident.category,
      source: incident.source,
      openedAt: incident.openedAt.toISOString(),
      classification,
      escalationPolicy: policy,
      sla,
      settings: {
        commanderDeadlineMs: settings.commanderDeadlineMs,
        stakeholderUpdateMs: { ...settings.stakeholderUpdateMs },
        handoverTimeoutMs: settings.handoverTimeoutMs,
        dutyManagerGroup: settings.dutyManagerGroup,
      },
    };
  }
}
