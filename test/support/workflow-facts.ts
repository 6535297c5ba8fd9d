import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';

/** A durable timer in a workflow's history: when it was started to fire, and whether it is over. */
export interface RecordedTimer {
  timerId: string;
  dueAt: number;
  resolution: 'fired' | 'canceled' | null;
}

/** The durable timers a run started, from its history (the server's own record, not a query). */
export async function timersOf(handle: WorkflowHandle): Promise<RecordedTimer[]> {
  return timersIn(await handle.fetchHistory());
}

function timersIn(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): RecordedTimer[] {
  const timers = new Map<string, RecordedTimer>();
  for (const event of history.events ?? []) {
    const started = event.timerStartedEventAttributes;
    if (started?.timerId) {
      timers.set(started.timerId, { timerId: started.timerId, dueAt: tsToMs(event.eventTime) + tsToMs(started.startToFireTimeout), resolution: null });
    }
    const fired = event.timerFiredEventAttributes?.timerId;
    if (fired && timers.has(fired)) timers.get(fired)!.resolution = 'fired';
    const canceled = event.timerCanceledEventAttributes?.timerId;
    if (canceled && timers.has(canceled)) timers.get(canceled)!.resolution = 'canceled';
  }
  return [...timers.values()];
}

/**
 * Waits until the workflow can do nothing more on its own up to `timersDueBy` (epoch ms; default:
 * no timer counts): every durable timer due by then has fired or been cancelled, and no workflow
 * task and no activity is pending. Everything the messages already in its history and those
 * timers led to has then been processed and recorded, so a test can assert that nothing more
 * happened without sleeping. Fails after `timeoutMs` naming what was still outstanding.
 */
export async function workflowSettled(handle: WorkflowHandle, options: { timersDueBy?: number; timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const history = await handle.fetchHistory();
    const before = history.events?.length ?? 0;
    const { raw } = await handle.describe();
    const timers = timersIn(history);
    const after = (await handle.fetchHistory()).events?.length ?? 0;
    const outstanding = [
      ...timers.filter((t) => t.resolution === null && options.timersDueBy !== undefined && t.dueAt <= options.timersDueBy).map((t) => `timer ${t.timerId} due ${new Date(t.dueAt).toISOString()}`),
      ...(raw.pendingWorkflowTask ? ['a workflow task'] : []),
      ...(raw.pendingActivities ?? []).map((a) => `activity ${a.activityType?.name ?? '?'}`),
      // The history moved while we looked: look again.
      ...(before !== after ? ['new history events'] : []),
    ];
    if (outstanding.length === 0) return;
    if (Date.now() > deadline) throw new Error(`workflow ${handle.workflowId} did not settle; outstanding: ${outstanding.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
