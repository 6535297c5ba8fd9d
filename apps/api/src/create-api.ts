import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type ApiModuleOptions } from './app.module';
import { configureApp } from './configure-app';

export async function createApi(options: ApiModuleOptions, setup: { shutdownHooks?: boolean; requestDeadlineMs?: number } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), { bufferLogs: true });
  app.useBodyParser('json', { limit: '1mb' });
  // The framework's name and version help nobody but someone looking for its known flaws.
  app.disable('x-powered-by');
  configureApp(app, setup);
  return app;
}
