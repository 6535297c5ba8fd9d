import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { DEFAULT_ABUSE_SETTINGS, DEFAULT_WEB_SECURITY, type AbuseSettings, type WebSecuritySettings } from '@steward/config';
import { StewardLogger } from '@steward/observability';
import { AbuseControl } from './common/abuse/abuse-control';
import { AbuseInterceptor } from './common/abuse/abuse.interceptor';
import { authFailureLimit, subjectFailureRetryAfter } from './common/abuse/auth-failure-limit.middleware';
import { DataSource } from 'typeorm';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { IdempotencyInterceptor } from './common/idempotency.interceptor';
import { RequestDeadlineInterceptor } from './common/request-deadline.interceptor';
import { apiCorsRule, applyCors, hideFramework, securityHeaders, trustProxy } from './common/http-hardening';
import { stewardValidationPipe } from './common/validation';

export interface ConfigureAppOptions {
  shutdownHooks?: boolean;
  /** Rate limits and stream caps (defaults: DEFAULT_ABUSE_SETTINGS). */
  abuse?: AbuseSettings;
  /** CORS origins, HSTS, trusted proxies (defaults: closed CORS, no HSTS, no proxy trusted). */
  web?: WebSecuritySettings;
  /** How long a request may take before it answers 503 (default REQUEST_DEADLINE_MS). */
  requestDeadlineMs?: number;
}

/** Everything about the HTTP app that is not a module: shared by main.ts and the e2e tests. */
export function configureApp(app: INestApplication, options: ConfigureAppOptions = {}): INestApplication {
  const web = options.web ?? DEFAULT_WEB_SECURITY;
  const abuse = new AbuseControl(options.abuse ?? DEFAULT_ABUSE_SETTINGS);
  // First, so that every answer (Swagger, 404s, refusals below) carries them.
  hideFramework(app);
  trustProxy(app, web);
  app.use(securityHeaders(web));
  // CORS: every rule in one place. A rule for another path family (the codec endpoint) goes
  // before the API's own rule in this list; see applyCors.
  applyCors(app, [apiCorsRule(web)]);
  app.use(authFailureLimit(abuse));

  app.useLogger(app.get(StewardLogger));
  app.useGlobalPipes(stewardValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter((request) => subjectFailureRetryAfter(abuse, request)));
  // Outermost first: limits refuse before anything runs; the deadline answers 503 while a kept
  // request (Idempotency-Key) finishes behind it.
  app.useGlobalInterceptors(new AbuseInterceptor(abuse), new RequestDeadlineInterceptor(options.requestDeadlineMs), new IdempotencyInterceptor(app.get(DataSource)));
  // The embedded launcher stops the API itself, after which it stops the servers it started.
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

  SwaggerModule.setup('docs', app, stewardOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}

/**
 * The OpenAPI document of `/docs-json`. Also what the console's typed client is generated from
 * (scripts/console-openapi.ts, on an app created in preview mode, without a database).
 */
export function stewardOpenApiDocument(app: INestApplication): OpenAPIObject {
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
  documentErrorAnswers(document);
  return document;
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

/** The error answers every client must expect, in the contract's one error shape. */
const ERROR_ANSWERS: Record<string, string> = {
  '400': 'Invalid input: every violated field named',
  '401': 'No bearer token, or a bad one',
  '403': 'Authenticated but not allowed: the message names the rule',
  '404': 'No such object',
  '409': 'The object is not in a state that allows this',
  '413': 'The body is larger than 1 MB',
  '422': 'The Idempotency-Key was used for another request',
  '429': 'Too many requests or failed authentications: see Retry-After',
  '503': 'Past the request deadline, or the workflow engine is unavailable: see Retry-After',
};

/**
 * Documents, on every operation, the error answers that the guards, pipes, limits and deadline
 * give whatever the route, each with the ApiError schema, so that a client (or a fuzzer checking
 * conformance) finds every status the API can answer in the document.
 */
function documentErrorAnswers(document: OpenAPIObject): void {
  document.components = document.components ?? {};
  document.components.schemas = {
    ...document.components.schemas,
    ApiError: {
      type: 'object',
      required: ['statusCode', 'error', 'message'],
      properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = operations[method];
      if (!operation) continue;
      const codes = path === '/health' ? [] : ['400', '401', '403', '404', '409', '429', '503', ...(method === 'get' ? [] : ['413']), ...(method === 'post' ? ['422'] : [])];
      for (const code of codes) {
        const existing = operation.responses[code] as { description?: string } | undefined;
        operation.responses[code] = {
          description: existing?.description ?? ERROR_ANSWERS[code],
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
        };
      }
    }
  }
}
