import { Module } from '@nestjs/common';
import { KnowledgeController } from './knowledge.controller';
import { KnowledgePersistenceModule } from '@steward/persistence';

@Module({ imports: [KnowledgePersistenceModule], controllers: [KnowledgeController] })
export class KnowledgeModule {}
