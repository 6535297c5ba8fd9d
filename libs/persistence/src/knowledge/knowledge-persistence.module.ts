import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditPersistenceModule } from '../audit/audit-persistence.module';
import { KnowledgeArticleEntity } from './knowledge-article.entity';
import { KnowledgeBaseService } from './knowledge-base.service';

export const KNOWLEDGE_ENTITIES = [KnowledgeArticleEntity];

@Module({
  imports: [TypeOrmModule.forFeature(KNOWLEDGE_ENTITIES), AuditPersistenceModule],
  providers: [KnowledgeBaseService],
  exports: [TypeOrmModule, KnowledgeBaseService],
})
export class KnowledgePersistenceModule {}
