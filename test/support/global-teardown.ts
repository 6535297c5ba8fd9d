import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __stewardTestServers?: { postgres?: { stop(): Promise<void> }; temporal?: { teardown(): Promise<void> }; bundlePath?: string } })
    .__stewardTestServers;
  if (!started) return;
  await started.temporal?.teardown();
  await started.postgres?.stop();
  if (started.bundlePath) rmSync(started.bundlePath, { force: true });
}
