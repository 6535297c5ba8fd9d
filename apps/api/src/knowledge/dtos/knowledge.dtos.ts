import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { KNOWLEDGE_ARTICLE_KINDS, type KnowledgeArticleKind } from '@steward/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Trim } from '../../common/dto-transforms';

export class SearchKnowledgeQuery {
  @ApiPropertyOptional({ example: 'checkout timeout', description: 'Web-search syntax ("quoted phrase", or, -word); empty: the latest articles' })
  @IsOptional() @Trim() @IsString() @MaxLength(500)
  q?: string;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit: number = 20;
}

export class CreateArticleDto {
  @ApiProperty({ example: 'How to reset a locked VPN token' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(200)
  title: string;

  @ApiProperty({ example: 'Open the self-service portal, choose VPN, then Reset token.' })
  @Trim() @IsString() @IsNotEmpty() @MaxLength(50_000)
  body: string;
}

export class ArticleView {
  @ApiProperty({ example: 'KB-000001' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiProperty({ enum: KNOWLEDGE_ARTICLE_KINDS }) kind: KnowledgeArticleKind;
  @ApiProperty({ nullable: true, type: String, description: 'The problem whose known error it publishes' }) problemId: string | null;
  @ApiProperty() publishedAt: string;
  @ApiProperty() publishedBy: string;
  @ApiPropertyOptional({ description: 'ts_rank against the query, best first' }) rank?: number;
}
