import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CMDB_ENTITIES } from '../entities';
import { ImpactAnalysisService } from './impact-analysis.service';

@Module({
  imports: [TypeOrmModule.forFeature(CMDB_ENTITIES)],
  providers: [ImpactAnalysisService],
  exports: [TypeOrmModule, ImpactAnalysisService],
})
export class CmdbPersistenceModule {}
