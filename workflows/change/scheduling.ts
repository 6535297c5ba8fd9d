import { condition } from '@temporalio/workflow';
import { records, type ChangeRun } from './change-run';

export type SlotVerdict = 'ready' | 'revised' | 'ended';

/** Sleeps until the next eligible interval; reschedules and calendar changes wake it to look again. */
export async function waitForWindow(run: ChangeRun): Promise<SlotVerdict> {
  const { change, wake } = run;
  const { changeId } = run.input;
  const emergency = run.input.type === 'emergency';
  for (;;) {
    wake.calendarChanged = false;
    wake.rescheduled = false;
    const requested = change.requestedWindow;
    const found = await records.scheduleChange({ changeId, emergency, durationMinutes: change.estimatedMinutes(), ...(requested ? { requested } : {}) });
    change.scheduledIn(found);
    // Scheduled once the interval is known, so whoever sees the state also sees when.
    await run.advance('scheduled');
    const woken = () => change.isFinal || wake.planRevised || wake.calendarChanged || wake.rescheduled;
    if (!found) {
      change.waitingFor = 'an eligible interval: none fits within the horizon';
      await condition(woken);
    } else if (Date.parse(found.start) > Date.now()) {
      change.waitingFor = `the interval from ${found.start} (${found.reason})`;
      if (await condition(woken, Math.max(1, Date.parse(found.start) - Date.now()))) {
        if (change.isFinal) return 'ended';
        if (wake.planRevised) return 'revised';
        continue;
      }
    }
    if (change.isFinal) return 'ended';
    if (wake.planRevised) return 'revised';
    if (!found || wake.calendarChanged || wake.rescheduled) continue;
    // A freeze may have been declared while we slept.
    const frozen = await records.blockingFreezes({ changeId, emergency });
    if (frozen.length > 0) {
      await records.recordNote({ changeId, type: 'freeze_at_wake_up', data: { freezes: frozen } });
      continue;
    }
    return 'ready';
  }
}
