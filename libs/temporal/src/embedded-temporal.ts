import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTemporalCli, toSdkExecutable } from './toolchain/toolchain';

export interface EmbeddedTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * The Temporal dev server for `npm start`: the official CLI's `server start-dev`, with its
 * history in a SQLite file under DATA_DIR so that workflows survive a restart, and its Web UI.
 * The SDK's ephemeral-server launcher owns the process, so it ends with ours.
 */
export async function startEmbeddedTemporal(options: {
  dataDir: string;
  namespace: string;
  port: number;
  uiPort: number;
  cliPath?: string;
}): Promise<EmbeddedTemporal> {
  mkdirSync(options.dataDir, { recursive: true });
  const source = resolveTemporalCli({ cliPath: options.cliPath });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: toSdkExecutable(source),
      ip: '127.0.0.1',
      port: options.port,
      ui: true,
      uiPort: options.uiPort,
      namespace: options.namespace,
      dbFilename: join(options.dataDir, 'temporal.sqlite'),
      log: { format: 'json', level: 'warn' },
    },
  });
  return {
    address: env.address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    stop: () => env.teardown(),
  };
}
