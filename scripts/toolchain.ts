import { resolveTemporalCli, resolveTimeSkippingServer } from '@steward/temporal';

/** Obtains the Temporal servers ahead of time (CI, a fresh machine), printing where from. */
const started = Date.now();
const cli = resolveTemporalCli();
process.stdout.write(`Temporal CLI: ${cli.type === 'existing-path' ? cli.path : 'SDK download at first use'} (${cli.origin})\n`);
const testServer = resolveTimeSkippingServer();
process.stdout.write(
  `Time-skipping test server: ${testServer.type === 'existing-path' ? testServer.path : 'SDK download at first use'} (${testServer.origin})\n`,
);
process.stdout.write(`toolchain ready in ${Math.round((Date.now() - started) / 1000)} s\n`);
