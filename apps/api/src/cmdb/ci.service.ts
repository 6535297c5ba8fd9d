import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError, cmdbWriteRefusal } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { AuditLog, CiRelationshipEntity, ConfigurationItemEntity, ImpactAnalysisService, insertRows } from '@steward/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { invalidFields } from '../common/validation';
import { CmdbSettings } from './cmdb-settings';
import { toCiView, toRelationshipView, type CiPage, type CiView, type ImpactView, type RelationshipView } from './ci.views';
import type { CreateCiDto, CreateRelationshipDto, ListCisQuery, UpdateCiDto } from './dtos/ci.dtos';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class CiService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly impact: ImpactAnalysisService,
    private readonly settings: CmdbSettings,
  ) {}

  private view(ci: ConfigurationItemEntity): CiView {
    return toCiView(ci, this.settings.staleBefore(new Date()));
  }

  private async mustFind(manager: EntityManager, key: string, lock = false): Promise<ConfigurationItemEntity> {
    const ci = await manager.findOne(ConfigurationItemEntity, { where: { key }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!ci) throw new StewardError('not_found', `configuration item ${key} not found`);
    return ci;
  }

  private assertMayWrite(caller: Principal, ownerGroups: string[]): void {
    const refusal = cmdbWriteRefusal(caller, ownerGroups);
    if (refusal) throw new StewardError('forbidden', refusal);
  }

  async create(caller: Principal, dto: CreateCiDto): Promise<CiView> {
    this.assertMayWrite(caller, [dto.ownerGroup]);
    return this.db.transaction(async (tx) => {
      const ci = tx.create(ConfigurationItemEntity, {
        key: dto.key,
        name: dto.name,
        type: dto.type,
        environment: dto.environment,
        criticality: dto.criticality,
        ownerGroup: dto.ownerGroup,
        status: dto.status ?? 'active',
        version: dto.version ?? null,
        usersAffected: dto.usersAffected ?? 0,
        attributes: dto.attributes ?? {},
        tags: dto.tags ?? [],
        lastDiscoveredAt: null,
      });
      const inserted = await insertRows(tx, ConfigurationItemEntity, [ci], { ignoreConflicts: true });
      if (inserted === 0) throw invalidFields([{ field: 'key', message: `configuration item ${dto.key} already exists` }]);
      await this.audit.append(tx, { entity: 'ci', entityId: dto.key, action: 'ci.created', actor: caller.id, data: { ...dto } });
      return this.view(await this.mustFind(tx, dto.key));
    });
  }

  async get(key: string): Promise<CiView> {
    return this.view(await this.mustFind(this.db.manager, key));
  }

  async list(query: ListCisQuery): Promise<CiPage> {
    const qb = this.db.getRepository(ConfigurationItemEntity).createQueryBuilder('ci');
    if (query.type) qb.andWhere('ci.type = :type', { type: query.type });
    if (query.environment) qb.andWhere('ci.environment = :environment', { environment: query.environment });
    if (query.status) qb.andWhere('ci.status = :status', { status: query.status });
    if (query.ownerGroup) qb.andWhere('ci.owner_group = :ownerGroup', { ownerGroup: query.ownerGroup });
    if (query.tag) qb.andWhere('ci.tags @> ARRAY[:tag]::text[]', { tag: query.tag });
    if (query.stale !== undefined) {
      const staleBefore = this.settings.staleBefore(new Date());
      qb.andWhere(query.stale ? 'COALESCE(ci.last_discovered_at, ci.created_at) < :staleBefore' : 'COALESCE(ci.last_discovered_at, ci.created_at) >= :staleBefore', { staleBefore });
    }
    const [rows, total] = await qb.orderBy('ci.key', 'ASC').take(query.limit).skip(query.offset).getManyAndCount();
    return { items: rows.map((ci) => this.view(ci)), total, limit: query.limit, offset: query.offset };
  }

  async update(caller: Principal, key: string, dto: UpdateCiDto): Promise<CiView> {
    const fields = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
    if (fields.length === 0) throw invalidFields([{ field: 'body', message: 'name at least one field to change' }]);
    return this.db.transaction(async (tx) => {
      const ci = await this.mustFind(tx, key, true);
      // Moving a CI to another group needs the right to write in both.
      this.assertMayWrite(caller, dto.ownerGroup && dto.ownerGroup !== ci.ownerGroup ? [ci.ownerGroup, dto.ownerGroup] : [ci.ownerGroup]);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const field of fields) {
        const value = (dto as Record<string, unknown>)[field];
        before[field] = (ci as unknown as Record<string, unknown>)[field];
        after[field] = value;
      }
      await tx.update(ConfigurationItemEntity, { key }, after);
      await this.audit.append(tx, { entity: 'ci', entityId: key, action: 'ci.updated', actor: caller.id, data: { before, after } });
      return this.view(await this.mustFind(tx, key));
    });
  }

  async addRelationship(caller: Principal, key: string, dto: CreateRelationshipDto): Promise<RelationshipView> {
    if (dto.target === key) throw invalidFields([{ field: 'target', message: 'a configuration item cannot relate to itself' }]);
    return this.db.transaction(async (tx) => {
      const source = await this.mustFind(tx, key);
      this.assertMayWrite(caller, [source.ownerGroup]);
      if (!(await tx.exists(ConfigurationItemEntity, { where: { key: dto.target } }))) {
        throw invalidFields([{ field: 'target', message: `configuration item ${dto.target} not found` }]);
      }
      let saved: CiRelationshipEntity;
      try {
        saved = await tx.save(tx.create(CiRelationshipEntity, { sourceKey: key, type: dto.type, targetKey: dto.target }));
      } catch (error) {
        if ((error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) {
          throw new StewardError('conflict', `${key} already ${dto.type} ${dto.target}`);
        }
        throw error;
      }
      await this.audit.append(tx, { entity: 'ci', entityId: key, action: 'ci.relationship_added', actor: caller.id, data: { type: dto.type, target: dto.target } });
      return toRelationshipView(saved);
    });
  }

  async relationships(key: string): Promise<{ outgoing: RelationshipView[]; incoming: RelationshipView[] }> {
    await this.mustFind(this.db.manager, key);
    const repo = this.db.getRepository(CiRelationshipEntity);
    const [outgoing, incoming] = await Promise.all([
      repo.find({ where: { sourceKey: key }, order: { id: 'ASC' } }),
      repo.find({ where: { targetKey: key }, order: { id: 'ASC' } }),
    ]);
    return { outgoing: outgoing.map(toRelationshipView), incoming: incoming.map(toRelationshipView) };
  }

  async removeRelationship(caller: Principal, key: string, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const source = await this.mustFind(tx, key);
      this.assertMayWrite(caller, [source.ownerGroup]);
      const relationship = /^\d{1,18}$/.test(id) ? await tx.findOne(CiRelationshipEntity, { where: { id, sourceKey: key } }) : null;
      if (!relationship) throw new StewardError('not_found', `relationship ${id} of ${key} not found`);
      await tx.delete(CiRelationshipEntity, { id });
      await this.audit.append(tx, {
        entity: 'ci',
        entityId: key,
        action: 'ci.relationship_removed',
        actor: caller.id,
        data: { type: relationship.type, target: relationship.targetKey },
      });
    });
  }

  async impactOf(key: string, maxDepth: number): Promise<ImpactView> {
    const ci = await this.mustFind(this.db.manager, key);
    const analysis = await this.impact.analyse(key, maxDepth);
    return { ci: this.view(ci), ...analysis };
  }
}
