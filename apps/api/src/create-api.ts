import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type ApiModuleOptions } from './app.module';
import { configureApp } from './configure-app';
import { serveConsole } from './console/serve-console';

export async function createApi(options: ApiModuleOptions, setup: { shutdownHooks?: boolean; requestDeadlineMs?: number } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), { bufferLogs: true });
  app.useBodyParser('json', { limit: '1mb' });
  configureApp(app, { ...setup, abuse: options.abuse, web: options.web });
  if (options.consoleRoot) serveConsole(app, options.consoleRoot);
  return app;
}
