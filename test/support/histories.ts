import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HISTORIES_DIR = join(__dirname, '..', 'histories');

/**
 * With STEWARD_RECORD_HISTORIES=1, tests save the histories of the workflows they name into
 * test/histories, to be committed: the replay test then runs them against every later version
 * of the workflow code, so a non-deterministic change fails the suite. A workflow id alone
 * names its latest run; a run id names an earlier one (a run that continued as new).
 */
export async function recordHistories(client: Client, workflows: Record<string, string | { workflowId: string; runId: string }>): Promise<void> {
  if (process.env.STEWARD_RECORD_HISTORIES !== '1') return;
  mkdirSync(HISTORIES_DIR, { recursive: true });
  for (const [name, run] of Object.entries(workflows)) {
    const history = typeof run === 'string' ? await client.workflow.getHandle(run).fetchHistory() : await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    // Binary protobuf: exactly what the server sent, with no JSON mapping in between.
    writeFileSync(join(HISTORIES_DIR, `${name}.history.pb`), temporal.api.history.v1.History.encode(history).finish());
  }
}
