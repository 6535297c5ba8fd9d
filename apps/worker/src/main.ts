import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigurationError, loadConfig, processesOf, requireServerConfig } from '@steward/config';
import { checkApplicationRole } from '@steward/persistence';
import { StewardLogger } from '@steward/observability';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  requireServerConfig(config, 'worker');
  // In production the application never runs as a superuser or as the audit log's owner.
  if (process.env.NODE_ENV === 'production') {
    const problems = await checkApplicationRole(config.databaseUrl!);
    if (problems.length > 0) throw new ConfigurationError(problems);
  }
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({
      databaseUrl: config.databaseUrl!,
      temporal: { ...config.temporal, address: config.temporal.address! },
      decisionVerifyKey: config.decisionVerifyKey!,
      workerSecret: config.workerSecret!,
      payloadCodecKeys: config.payloadCodecKeys,
      executorAllowedTargets: config.executorAllowedTargets,
      executorCredentials: config.executorCredentials,
      logLevel: config.logLevel,
      processes: processesOf(config),
      auditCheckpoints: config.auditCheckpoints,
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(StewardLogger));
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigurationError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
