import 'reflect-metadata';
import { ConfigurationError, loadConfig, processesOf, requireServerConfig } from '@steward/config';
import { checkApplicationRole } from '@steward/persistence';
import { join } from 'node:path';
import { createApi } from './create-api';

async function main(): Promise<void> {
  const config = loadConfig();
  requireServerConfig(config, 'api');
  // In production the application never runs as a superuser or as the audit log's owner.
  if (process.env.NODE_ENV === 'production') {
    const problems = await checkApplicationRole(config.databaseUrl!);
    if (problems.length > 0) throw new ConfigurationError(problems);
  }
  const app = await createApi({
    databaseUrl: config.databaseUrl!,
    temporal: { ...config.temporal, address: config.temporal.address! },
    auth: config.auth,
    logLevel: config.logLevel,
    cmdb: config.cmdb,
    decisionSigningKey: config.decisionSigningKey!,
    payloadCodecKeys: config.payloadCodecKeys,
    temporalUiOrigin: config.temporalUiOrigin,
    changeProcess: config.changeProcess,
    processes: processesOf(config),
    abuse: config.abuse,
    web: config.web,
    auditCheckpoints: config.auditCheckpoints,
    sodImplementer: config.sodImplementer,
    // dist/apps/api/src/main.js -> dist/console, where `npm run build` puts the console.
    consoleRoot: join(__dirname, '..', '..', '..', 'console'),
  });
  await app.listen(config.port);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigurationError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
