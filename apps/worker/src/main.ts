import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigurationError, loadConfig, processesOf, requireServerConfig } from '@steward/config';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  requireServerConfig(config, 'worker');
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({
      databaseUrl: config.databaseUrl!,
      temporal: { ...config.temporal, address: config.temporal.address! },
      decisionVerifyKey: config.decisionVerifyKey!,
      workerSecret: config.workerSecret!,
      payloadCodecKeys: config.payloadCodecKeys,
      executorAllowedTargets: config.executorAllowedTargets,
      logLevel: config.logLevel,
      processes: processesOf(config),
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigurationError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
