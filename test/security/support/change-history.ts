import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;

const idOf = (value: unknown): number => (typeof value === 'number' ? value : Number(String(value)));

/**
 * What an attacker with Temporal access reads from a change workflow's history: the token the
 * authorization activity returned, the inputs Steward's activities were scheduled with, and
 * the workflow task right after the authorization (where an operator's reset would go).
 */
export interface ChangeHistoryFacts {
  runId: string;
  token: string;
  /** The WorkflowTaskCompleted event right after authorizeImplementation completed. */
  resetEventId: number;
  /** Inputs of scheduled activities, by activity type, in order. */
  inputs: Record<string, unknown[]>;
}

export async function readChangeHistory(client: Client, workflowId: string, runId?: string): Promise<ChangeHistoryFacts> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const history = await handle.fetchHistory();
  const events: Event[] = history.events ?? [];
  const converter = client.options.loadedDataConverter;
  const inputs: Record<string, unknown[]> = {};
  let authorizeScheduled: number | undefined;
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled) continue;
    const type = scheduled.activityType?.name ?? '';
    (inputs[type] ??= []).push(await decodeFromPayloadsAtIndex(converter, 0, scheduled.input?.payloads));
    if (type === 'authorizeImplementation') authorizeScheduled = idOf(event.eventId);
  }
  if (authorizeScheduled === undefined) throw new Error(`${workflowId} never asked for its authorization`);
  const completed = events.find((e) => e.activityTaskCompletedEventAttributes && idOf(e.activityTaskCompletedEventAttributes.scheduledEventId) === authorizeScheduled);
  if (!completed) throw new Error(`the authorization of ${workflowId} never completed`);
  const { token } = await decodeFromPayloadsAtIndex<{ token: string }>(converter, 0, completed.activityTaskCompletedEventAttributes!.result?.payloads);
  const next = events.find((e) => idOf(e.eventId) > idOf(completed.eventId) && e.workflowTaskCompletedEventAttributes);
  if (!next) throw new Error(`no workflow task completed after the authorization of ${workflowId}`);
  const description = await handle.describe();
  return { runId: description.runId, token, resetEventId: idOf(next.eventId), inputs };
}
