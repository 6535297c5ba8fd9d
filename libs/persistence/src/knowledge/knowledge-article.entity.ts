import type { KnowledgeArticleKind } from '@steward/contracts';
import { Check, Column, Entity, Index, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';

/** Title weighs more than body when articles are ranked. */
export const KNOWLEDGE_SEARCH_EXPRESSION = `setweight(to_tsvector('english', coalesce("title", '')), 'A') || setweight(to_tsvector('english', coalesce("body", '')), 'B')`;

/**
 * A self-service knowledge article (principle 9): a published known error with its workaround,
 * or a plain article. `searchVector` is computed by PostgreSQL and indexed (GIN) for full-text
 * search; nobody writes it.
 */
@Entity({ name: 'knowledge_article' })
@Unique('uq_knowledge_article_number', ['number'])
@Check('ck_knowledge_article_kind', `"kind" IN ('known_error','article')`)
@Index('uq_knowledge_article_known_error', ['problemId'], { unique: true, where: `"kind" = 'known_error'` })
@Index('ix_knowledge_article_search', { synchronize: false })
export class KnowledgeArticleEntity {
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_knowledge_article' })
  id: string;

  /** From the sequence knowledge_article_number_seq. */
  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'varchar', length: 20 })
  kind: KnowledgeArticleKind;

  /** The problem whose known error it publishes. */
  @Column({ name: 'problem_id', type: 'varchar', length: 20, nullable: true })
  problemId: string | null;

  @Column({ name: 'published_by', type: 'varchar', length: 200 })
  publishedBy: string;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'search_vector', type: 'tsvector', generatedType: 'STORED', asExpression: KNOWLEDGE_SEARCH_EXPRESSION, select: false, insert: false, update: false })
  searchVector?: string;
}
