import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// By file, not the library's index: global setup runs without the path aliases, and the index
// also holds the workflow launchers, which import other libraries by alias.
import { resolveTemporalCli, resolveTimeSkippingServer, toSdkExecutable } from '../../libs/temporal/src/toolchain/toolchain';
import { workflowBundleOptions } from '../../libs/temporal/src/workflow-bundle';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../libs/persistence/src/embedded/embedded-postgres';
import { TEST_ENV } from './test-env';

interface Started {
  postgres?: EmbeddedPostgres;
  temporal?: TestWorkflowEnvironment;
  bundlePath?: string;
}

/**
 * Once per test run: a throwaway PostgreSQL cluster (or DATABASE_URL), a Temporal dev server
 * from the real CLI (or TEMPORAL_ADDRESS), and the workflow bundle, built once and shared.
 * Test files find them through environment variables, which Jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const started: Started = {};
  (globalThis as { __stewardTestServers?: Started }).__stewardTestServers = started;
  const log = (line: string) => process.stderr.write(`[test setup] ${line}\n`);

  const [postgresUrl, temporalAddress, bundlePath] = await Promise.all([
    (async () => {
      if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
      started.postgres = await startEmbeddedPostgres();
      log(`embedded PostgreSQL, a throwaway cluster at ${started.postgres.url.replace(/:[^:@/]+@/, ':***@')}`);
      return started.postgres.url;
    })(),
    (async () => {
      if (process.env.TEMPORAL_ADDRESS) return process.env.TEMPORAL_ADDRESS;
      const cli = resolveTemporalCli({ log });
      // Fetched here, once, on a fresh machine (Maven), not inside a test's time limit.
      resolveTimeSkippingServer({ log });
      started.temporal = await TestWorkflowEnvironment.createLocal({
        server: { executable: toSdkExecutable(cli), ip: '127.0.0.1', log: { format: 'json', level: 'error' } },
      });
      log(`Temporal dev server (${cli.origin}) at ${started.temporal.address}`);
      return started.temporal.address;
    })(),
    (async () => {
      const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
      const path = join(tmpdir(), `steward-workflow-bundle-${process.pid}.js`);
      writeFileSync(path, code);
      started.bundlePath = path;
      return path;
    })(),
  ]);

  process.env[TEST_ENV.postgresUrl] = postgresUrl;
  process.env[TEST_ENV.temporalAddress] = temporalAddress;
  process.env[TEST_ENV.workflowBundle] = bundlePath;
}
