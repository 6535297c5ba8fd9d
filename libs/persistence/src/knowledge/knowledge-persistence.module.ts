import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KNOWLEDGE_ENTITIES } from '../entities';
import { AuditPersistenceModule } from '../audit/audit-persistence.module';
import { KnowledgeBaseService } from './knowledge-base.service';

@Module({
  imports: [TypeOrmModule.forFeature(KNOWLEDGE_ENTITIES), AuditPersistenceModule],
  providers: [KnowledgeBaseService],
  exports: [TypeOrmModule, KnowledgeBaseService],
})
export class KnowledgePersistenceModule {}
