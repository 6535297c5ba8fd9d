import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { StewardError, isArticleId } from '@steward/domain';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import { KnowledgeBaseService, type KnowledgeArticleEntity, type KnowledgeHit } from '@steward/persistence';
import { ArticleView, CreateArticleDto, SearchKnowledgeQuery } from './dtos/knowledge.dtos';

/** Self-service knowledge (principle 9): everyone searches; problem managers and the service desk write. */
@ApiTags('knowledge')
@ApiBearerAuth()
@Controller('api/knowledge')
export class KnowledgeController {
  constructor(private readonly knowledge: KnowledgeBaseService) {}

  @Get()
  @ApiOperation({ summary: 'Search articles and published known errors (PostgreSQL full text, best match first); no q: the latest' })
  @ApiResponse({ status: 200, type: [ArticleView] })
  async search(@Query() query: SearchKnowledgeQuery): Promise<ArticleView[]> {
    return (await this.knowledge.search(query.q, query.limit)).map(viewOf);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One article' })
  @ApiResponse({ status: 200, type: ArticleView })
  async get(@Param('id') id: string): Promise<ArticleView> {
    if (!isArticleId(id)) throw new StewardError('not_found', `knowledge article ${id} not found (ids look like KB-000123)`);
    return viewOf(await this.knowledge.get(id));
  }

  @Post()
  @Roles('problem_manager', 'service_desk', 'admin')
  @ApiOperation({ summary: 'Publish an article' })
  @ApiResponse({ status: 201, type: ArticleView })
  async create(@CurrentPrincipal() caller: Principal, @Body() body: CreateArticleDto): Promise<ArticleView> {
    return viewOf(await this.knowledge.publish(body.title, body.body, caller.id));
  }
}

function viewOf(article: KnowledgeHit | KnowledgeArticleEntity): ArticleView {
  return {
    id: article.id,
    title: article.title,
    body: article.body,
    kind: article.kind,
    problemId: article.problemId,
    publishedAt: new Date(article.publishedAt).toISOString(),
    publishedBy: article.publishedBy,
    ...('rank' in article && article.rank !== undefined ? { rank: article.rank } : {}),
  };
}
