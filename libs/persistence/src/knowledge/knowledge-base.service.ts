import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { KnowledgeArticleKind } from '@steward/contracts';
import { StewardError, formatArticleId } from '@steward/domain';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { KnowledgeArticleEntity } from './knowledge-article.entity';

export interface KnowledgeHit {
  id: string;
  title: string;
  body: string;
  kind: KnowledgeArticleKind;
  problemId: string | null;
  publishedAt: Date;
  publishedBy: string;
  /** ts_rank of the query; absent when listing the latest. */
  rank?: number;
}

/** The knowledge base: articles and published known errors, searched with PostgreSQL full text. */
@Injectable()
export class KnowledgeBaseService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** A problem publishes one known-error article; declaring it again updates that article. */
  async publishKnownError(problemId: string, title: string, body: string, actor: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [{ number }] = (await tx.query(`SELECT nextval('knowledge_article_number_seq')::int AS number`)) as Array<{ number: number }>;
      const [row] = (await tx.query(
        `INSERT INTO knowledge_article (id, number, title, body, kind, problem_id, published_by, published_at)
         VALUES ($1, $2, $3, $4, 'known_error', $5, $6, now())
         ON CONFLICT (problem_id) WHERE kind = 'known_error'
         DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, updated_at = now()
         RETURNING id`,
        [formatArticleId(number), number, title.slice(0, 200), body, problemId, actor],
      )) as Array<{ id: string }>;
      await this.audit.append(tx, { entity: 'knowledge_article', entityId: row.id, action: 'knowledge.known_error_published', actor, data: { problemId, title } });
      return row.id;
    });
  }

  async publish(title: string, body: string, actor: string): Promise<KnowledgeArticleEntity> {
    const id = await this.db.transaction(async (tx) => {
      const [{ number }] = (await tx.query(`SELECT nextval('knowledge_article_number_seq')::int AS number`)) as Array<{ number: number }>;
      const articleId = formatArticleId(number);
      await tx.query(
        `INSERT INTO knowledge_article (id, number, title, body, kind, problem_id, published_by, published_at) VALUES ($1, $2, $3, $4, 'article', NULL, $5, now())`,
        [articleId, number, title, body, actor],
      );
      await this.audit.append(tx, { entity: 'knowledge_article', entityId: articleId, action: 'knowledge.published', actor, data: { title } });
      return articleId;
    });
    return this.get(id);
  }

  async get(id: string): Promise<KnowledgeArticleEntity> {
    const article = await this.db.getRepository(KnowledgeArticleEntity).findOne({ where: { id } });
    if (!article) throw new StewardError('not_found', `knowledge article ${id} not found`);
    return article;
  }

  /** Best matches first (web-search syntax: quotes, OR, -word); an empty query lists the latest. */
  async search(q: string | undefined, limit: number): Promise<KnowledgeHit[]> {
    const columns = `id, title, body, kind, problem_id AS "problemId", published_at AS "publishedAt", published_by AS "publishedBy"`;
    if (!q?.trim()) {
      return (await this.db.query(`SELECT ${columns} FROM knowledge_article ORDER BY published_at DESC, number DESC LIMIT $1`, [limit])) as KnowledgeHit[];
    }
    const rows = (await this.db.query(
      `SELECT ${columns}, ts_rank(search_vector, query) AS rank
         FROM knowledge_article, websearch_to_tsquery('english', $1) AS query
        WHERE search_vector @@ query
        ORDER BY rank DESC, published_at DESC
        LIMIT $2`,
      [q.trim(), limit],
    )) as Array<KnowledgeHit & { rank: string | number }>;
    return rows.map((r) => ({ ...r, rank: Number(r.rank) }));
  }
}
