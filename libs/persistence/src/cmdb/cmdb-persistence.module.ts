import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CiRelationshipEntity } from './ci-relationship.entity';
import { ConfigurationItemEntity } from './configuration-item.entity';
import { DiscoveryFindingEntity, DiscoveryRunEntity } from './discovery.entities';
import { ImpactAnalysisService } from './impact-analysis.service';

export const CMDB_ENTITIES = [ConfigurationItemEntity, CiRelationshipEntity, DiscoveryRunEntity, DiscoveryFindingEntity];

@Module({
  imports: [TypeOrmModule.forFeature(CMDB_ENTITIES)],
  providers: [ImpactAnalysisService],
  exports: [TypeOrmModule, ImpactAnalysisService],
})
export class CmdbPersistenceModule {}
