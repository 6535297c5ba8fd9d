import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { stewardValidationPipe } from './common/validation';

/** Everything about the HTTP app that is not a module: shared by main.ts and the e2e tests. */
export function configureApp(app: INestApplication, options: { shutdownHooks?: boolean } = {}): INestApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(stewardValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
