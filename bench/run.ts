import { benchChanges } from './change.bench';
import { benchCmdb } from './cmdb.bench';
import { benchCodec } from './codec.bench';
import { benchIncidents } from './incident.bench';
import { startBenchEnvironment } from './support';

/**
 * `npm run bench`: performance figures on real servers (PostgreSQL 15 cluster, Temporal dev
 * server), printed as JSON. Figures, not pass/fail: compare runs on the same machine.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const env = await startBenchEnvironment({ commitTimestamps: only.length === 0 || only.includes('incidents') });
  const results: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, at: new Date().toISOString() };
  try {
    if (only.length === 0 || only.includes('cmdb')) results.cmdb = await benchCmdb(env);
    if (only.length === 0 || only.includes('changes')) results.changes = await benchChanges(env);
    if (only.length === 0 || only.includes('incidents')) results.incidents = await benchIncidents(env);
    if (only.length === 0 || only.includes('codec')) results.codec = await benchCodec(env);
  } finally {
    await env.close();
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
