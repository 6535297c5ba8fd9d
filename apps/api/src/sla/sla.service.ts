import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PRIORITIES, StewardError, businessCalendarProblems, escalationPolicyProblems, type Priority } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { AuditLog, ConfigurationItemEntity, EscalationPolicyEntity, SlaDefinitionEntity } from '@steward/persistence';
import { DataSource, In } from 'typeorm';
import { invalidFields } from '../common/validation';
import type { EscalationPolicyDto, SlaDefinitionDto } from './dtos/sla.dtos';

const MINUTE = 60_000;

export interface SlaDefinitionView {
  scope: string;
  priority: Priority;
  version: number;
  responseMinutes: number | null;
  resolutionMinutes: number | null;
  businessHours: boolean;
  calendar: SlaDefinitionEntity['calendar'];
  createdBy: string;
  createdAt: string;
}

/**
 * SLA definitions and escalation policies are data, edited by publishing a new version: an
 * incident keeps the terms it opened under (its policy is pinned, its SLA definition named).
 */
@Injectable()
export class SlaService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async definitions(): Promise<SlaDefinitionView[]> {
    const rows = (await this.db.query(
      `SELECT DISTINCT ON (scope, priority) id FROM sla_definition ORDER BY scope, priority, version DESC`,
    )) as Array<{ id: string }>;
    const latest = await this.db.getRepository(SlaDefinitionEntity).findBy({ id: In(rows.map((r) => r.id)) });
    return latest.sort((a, b) => a.scope.localeCompare(b.scope) || a.priority.localeCompare(b.priority)).map(toDefinitionView);
  }

  async publishDefinition(caller: Principal, scope: string, priority: string, dto: SlaDefinitionDto): Promise<SlaDefinitionView> {
    if (!(PRIORITIES as readonly string[]).includes(priority)) throw new StewardError('not_found', `no priority ${priority} (P1..P5)`);
    if (scope !== 'default' && !(await this.db.getRepository(ConfigurationItemEntity).existsBy({ key: scope }))) {
      throw new StewardError('not_found', `no service ${scope}: an SLA scope is 'default' or a CI key`);
    }
    if (dto.calendar) {
      const problems = businessCalendarProblems(dto.calendar);
      if (problems.length > 0) throw invalidFields(problems.map((message) => ({ field: 'calendar', message })));
    }
    const saved = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sla:${scope}:${priority}`]);
      const [{ version }] = (await tx.query(`SELECT COALESCE(MAX(version), 0) + 1 AS version FROM sla_definition WHERE scope = $1 AND priority = $2`, [scope, priority])) as Array<{ version: number }>;
      const row = tx.create(SlaDefinitionEntity, {
        scope,
        priority: priority as Priority,
        version,
        responseMs: dto.responseMinutes === null ? null : String(dto.responseMinutes * MINUTE),
        resolutionMs: dto.resolutionMinutes === null ? null : String(dto.resolutionMinutes * MINUTE),
        businessHours: dto.businessHours,
        calendar: dto.calendar ? { weekly: dto.calendar.weekly.map((h) => ({ day: h.day, start: h.start, end: h.end })), utcOffsetMinutes: dto.calendar.utcOffsetMinutes } : null,
        createdBy: caller.id,
      });
      await tx.save(row);
      await this.audit.append(tx, { entity: 'sla_definition', entityId: `${scope}/${priority}`, action: 'sla.definition_published', actor: caller.id, data: { version, ...dto } as Record<string, unknown> });
      return row;
    });
    return toDefinitionView(saved);
  }

  async policies(): Promise<Array<{ policyId: string; version: number; name: string; service: string | null; levels: Array<{ targets: string[]; ackTimeoutMinutes: number }>; repeat: number; createdBy: string; createdAt: string }>> {
    const rows = await this.db.getRepository(EscalationPolicyEntity).find({ order: { policyId: 'ASC', version: 'DESC' } });
    return rows.map((p) => ({
      policyId: p.policyId,
      version: p.version,
      name: p.name,
      service: p.serviceKey,
      levels: p.levels.map((l) => ({ targets: l.targets, ackTimeoutMinutes: l.ackTimeoutMs / MINUTE })),
      repeat: p.repeat,
      createdBy: p.createdBy,
      createdAt: p.createdAt.toISOString(),
    }));
  }

  async publishPolicy(caller: Principal, dto: EscalationPolicyDto): Promise<{ policyId: string; version: number }> {
    if (dto.service && !(await this.db.getRepository(ConfigurationItemEntity).existsBy({ key: dto.service }))) {
      throw invalidFields([{ field: 'service', message: `unknown service ${dto.service}` }]);
    }
    const levels = dto.levels.map((l) => ({ targets: [...new Set(l.targets)], ackTimeoutMs: l.ackTimeoutMinutes * MINUTE }));
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`escalation:${dto.policyId}`]);
      const [{ version }] = (await tx.query(`SELECT COALESCE(MAX(version), 0) + 1 AS version FROM escalation_policy WHERE policy_id = $1`, [dto.policyId])) as Array<{ version: number }>;
      const problems = escalationPolicyProblems({ id: dto.policyId, version, levels, repeat: dto.repeat });
      if (problems.length > 0) throw invalidFields(problems.map((message) => ({ field: 'levels', message })));
      await tx.query(`INSERT INTO escalation_policy (policy_id, version, name, service_key, levels, repeat, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        dto.policyId,
        version,
        dto.name.trim(),
        dto.service ?? null,
        JSON.stringify(levels),
        dto.repeat,
        caller.id,
      ]);
      await this.audit.append(tx, { entity: 'escalation_policy', entityId: dto.policyId, action: 'escalation.policy_published', actor: caller.id, data: { version, service: dto.service ?? null, levels, repeat: dto.repeat } });
      return { policyId: dto.policyId, version };
    });
  }
}

function toDefinitionView(row: SlaDefinitionEntity): SlaDefinitionView {
  return {
    scope: row.scope,
    priority: row.priority,
    version: row.version,
    responseMinutes: row.responseMs === null ? null : Number(row.responseMs) / MINUTE,
    resolutionMinutes: row.resolutionMs === null ? null : Number(row.resolutionMs) / MINUTE,
    businessHours: row.businessHours,
    calendar: row.calendar,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}
