import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CiRelationshipEntity, ConfigurationItemEntity } from '@steward/persistence';

export class CiView {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty() type: string;
  @ApiProperty() environment: string;
  @ApiProperty() criticality: number;
  @ApiProperty() ownerGroup: string;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true, type: String }) version: string | null;
  @ApiProperty() usersAffected: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) attributes: Record<string, unknown>;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ nullable: true, type: String }) lastDiscoveredAt: string | null;
  @ApiProperty({ description: 'Not reported by discovery for the stale period' }) stale: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class RelationshipView {
  @ApiProperty() id: string;
  @ApiProperty() source: string;
  @ApiProperty() type: string;
  @ApiProperty() target: string;
  @ApiProperty() createdAt: string;
}

export class ImpactedCiView {
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty() type: string;
  @ApiProperty() environment: string;
  @ApiProperty() criticality: number;
  @ApiProperty() distance: number;
}

export class ImpactView {
  @ApiProperty({ type: CiView }) ci: CiView;
  @ApiProperty({ type: [ImpactedCiView] }) impacted: ImpactedCiView[];
  @ApiProperty() usersAffected: number;
  @ApiPropertyOptional() truncated: boolean;
}

export class CiPage {
  @ApiProperty({ type: [CiView] }) items: CiView[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export function toCiView(ci: ConfigurationItemEntity, staleBefore: Date): CiView {
  const seen = ci.lastDiscoveredAt ?? ci.createdAt;
  return {
    key: ci.key,
    name: ci.name,
    type: ci.type,
    environment: ci.environment,
    criticality: ci.criticality,
    ownerGroup: ci.ownerGroup,
    status: ci.status,
    version: ci.version,
    usersAffected: ci.usersAffected,
    attributes: ci.attributes,
    tags: ci.tags,
    lastDiscoveredAt: ci.lastDiscoveredAt?.toISOString() ?? null,
    stale: seen < staleBefore,
    createdAt: ci.createdAt.toISOString(),
    updatedAt: ci.updatedAt.toISOString(),
  };
}

export function toRelationshipView(r: CiRelationshipEntity): RelationshipView {
  return { id: r.id, source: r.sourceKey, type: r.type, target: r.targetKey, createdAt: r.createdAt.toISOString() };
}
