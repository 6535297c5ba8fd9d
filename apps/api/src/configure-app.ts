import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { IdempotencyInterceptor } from './common/idempotency.interceptor';
import { RequestDeadlineInterceptor } from './common/request-deadline.interceptor';
import { stewardValidationPipe } from './common/validation';

/** Everything about the HTTP app that is not a module: shared by main.ts and the e2e tests. */
export function configureApp(app: INestApplication, options: { shutdownHooks?: boolean; requestDeadlineMs?: number } = {}): INestApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(stewardValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  // Outermost first: the deadline answers 503 while a kept request finishes behind it.
  app.useGlobalInterceptors(new RequestDeadlineInterceptor(options.requestDeadlineMs), new IdempotencyInterceptor(app.get(DataSource)));
  // The embedded launcher stops the API itself, after which it stops the servers it started.
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Steward')
      .setDescription('Change and release management on durable workflows: changes, approvals, incidents, problems, CMDB, audit.')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  documentIdempotencyKeys(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** Every POST takes an Idempotency-Key (IdempotencyInterceptor); the document says so once here. */
function documentIdempotencyKeys(document: OpenAPIObject): void {
  for (const operations of Object.values(document.paths)) {
    const post = operations.post;
    if (!post) continue;
    post.parameters = [
      ...(post.parameters ?? []),
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Retry safely: the same key and body answer what the first request answered and create nothing twice; the same key with another body is 422.',
        schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
      },
    ];
    post.responses = {
      ...post.responses,
      '409': post.responses['409'] ?? { description: 'Conflict (also: a request with this Idempotency-Key is still being processed)' },
      '422': { description: 'The Idempotency-Key was used for another request' },
      '503': { description: 'Past the request deadline or the workflow engine is unavailable; see Retry-After' },
    };
  }
}
