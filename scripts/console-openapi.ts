import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { generateDecisionKeyPair } from '@steward/security';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../apps/api/src/app.module';
import { stewardOpenApiDocument } from '../apps/api/src/configure-app';

/**
 * The API's OpenAPI document as `/docs-json` serves it, built without a database or Temporal:
 * Nest's preview mode resolves the modules and routes but instantiates no provider, so nothing
 * connects. `demoSignIn` adds the embedded launcher's sign-in routes, which the console calls.
 * test/console/openapi.test.ts checks that the committed document is this one and that, without
 * the demo routes, it equals what a real API serves.
 */
export async function consoleOpenApiDocument(options: { demoSignIn: boolean }): Promise<object> {
  const app = await NestFactory.create(
    AppModule.forRoot({
      databaseUrl: 'postgres://preview@127.0.0.1:1/preview',
      temporal: { address: '127.0.0.1:1', namespace: 'default', taskQueue: 'preview' },
      auth: { jwtSecret: 'preview-only-secret-never-used-to-sign-anything' },
      decisionSigningKey: generateDecisionKeyPair().signingKey,
      logLevel: 'silent',
      ...(options.demoSignIn ? { demoSignIn: { jwtSecret: 'preview-only-secret-never-used-to-sign-anything' } } : {}),
    }),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    return stewardOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** Where the console keeps the document it generates its client from. */
export const CONSOLE_OPENAPI_PATH = join('apps', 'console', 'src', 'api', 'openapi.json');

if (require.main === module) {
  consoleOpenApiDocument({ demoSignIn: true })
    .then((document) => {
      writeFileSync(CONSOLE_OPENAPI_PATH, `${JSON.stringify(document, null, 2)}\n`);
      process.stdout.write(`wrote ${CONSOLE_OPENAPI_PATH}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    });
}
