import { Injectable } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import { AuditLog, ChangeGateService, ChangeRecordsService } from '@steward/persistence';
import { ExecutorRegistry } from './executors';

/**
 * Runs one automated step (or its rollback) through its executor, and only after the gate
 * admitted the token: a workflow started by hand, or this activity invoked directly, gets
 * nothing executed. The idempotency key comes from business ids, never the run id.
 */
@Injectable()
export class ChangeExecutionActivities {
  constructor(
    private readonly gate: ChangeGateService,
    private readonly executors: ExecutorRegistry,
    private readonly changeRecords: ChangeRecordsService,
    private readonly audit: AuditLog,
  ) {}

  async runStep(input: { token: string; changeId: string; stepId: string; phase: 'action' | 'rollback' }): Promise<{ outcome: 'succeeded' | 'failed'; detail: string }> {
    const { claims, step } = await this.gate.admit(input.token, input.changeId, input.stepId, input.phase);
    const done = (await this.changeRecords.steps(input.changeId)).find((s) => s.stepId === input.stepId);
    // A retry after the step finished reports what happened instead of doing it twice.
    if (done && input.phase === 'action' && (done.state === 'succeeded' || done.state === 'failed') && done.endedAt) {
      return { outcome: done.state, detail: done.detail ?? '' };
    }
    const context = Context.current();
    const call = step[input.phase];
    const result = await this.executors.forCall(call).execute(call, {
      changeId: input.changeId,
      stepId: input.stepId,
      phase: input.phase,
      idempotencyKey: `${input.changeId}:${input.stepId}:${input.phase}:${claims.planHash.slice(0, 16)}`,
      signal: context.cancellationSignal,
      heartbeat: (details?: unknown) => context.heartbeat(details),
    });
    await this.audit.record({
      entity: 'change',
      entityId: input.changeId,
      action: `change.step_${input.phase === 'action' ? 'executed' : 'rolled_back'}`,
      actor: 'steward',
      data: { stepId: input.stepId, executor: String(call.executor), outcome: result.outcome, detail: result.detail, durationMs: result.durationMs, tokenId: claims.tokenId },
    });
    return { outcome: result.outcome, detail: result.detail };
  }
}
