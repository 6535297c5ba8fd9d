import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stewardDataConverter } from '@steward/temporal';
import { testPayloadCodec } from '../support/harness';
import { HISTORIES_DIR } from '../support/histories';
import { testEnv } from '../support/test-env';

/**
 * Replays the committed histories of real change, incident and problem workflows (recorded by the end-to-end tests)
 * against the current workflow code: a change that would break workflows in flight fails here.
 */
describe('replay of recorded workflow histories', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.history.pb')).sort();

  beforeAll(() => {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // installed already by another file in this worker process
    }
  });

  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(38);
  });

  it('replays every one of them without a determinism violation', async () => {
    const histories = files.map((file) => ({ workflowId: file.replace(/\.history\.pb$/, ''), history: temporal.api.history.v1.History.decode(readFileSync(join(HISTORIES_DIR, file))) }));
    const failures: string[] = [];
    let replayed = 0;
    // With the payload codec, as the workers run: histories recorded in clear (before the codec)
    // pass through it unchanged, those recorded since are decrypted with the test key.
    const replayOptions = { workflowBundle: { codePath: testEnv('workflowBundle') }, dataConverter: stewardDataConverter(testPayloadCodec()) };
    for await (const result of Worker.runReplayHistories(replayOptions, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
