import { Injectable } from '@nestjs/common';
import type { CallerRun } from '@steward/domain';
import { ChangeRunGuard } from '@steward/persistence';
import { Context } from '@temporalio/activity';

/**
 * Which workflow run is calling, from the activity's own context (what the Temporal server put
 * in the activity task), never from the activity's input: a reset run, a workflow started by
 * hand or an attacker's workflow on another task queue can copy any input, but not this.
 * Every change activity asks `verify` before it writes or executes anything.
 */
@Injectable()
export class ChangeRunBinding {
  constructor(private readonly guard: ChangeRunGuard) {}

  /** The calling run, once the guard accepted it as the run recorded on the change. */
  async verify(changeId: string): Promise<CallerRun> {
    const { caller, activity } = ChangeRunBinding.current();
    await this.guard.check(changeId, caller, activity);
    return caller!;
  }

  private static current(): { caller: CallerRun | null; activity: string } {
    let info: Context['info'];
    try {
      info = Context.current().info;
    } catch {
      // Called in-process, outside any activity: no run to bind to, so the guard refuses.
      return { caller: null, activity: 'outside an activity' };
    }
    const execution = info.workflowExecution;
    return { caller: execution ? { workflowId: execution.workflowId, runId: execution.runId } : null, activity: info.activityType };
  }
}
