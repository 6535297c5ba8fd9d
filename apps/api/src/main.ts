import 'reflect-metadata';
import { ConfigurationError, loadConfig, processesOf, requireServerConfig } from '@steward/config';
import { createApi } from './create-api';

async function main(): Promise<void> {
  const config = loadConfig();
  requireServerConfig(config, 'api');
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
  });
  await app.listen(config.port);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigurationError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
