import { Injectable } from '@nestjs/common';
import { StewardError } from '@steward/domain';
import { ChangeGateService } from '@steward/persistence';
import { Context } from '@temporalio/activity';
import { ChangeRunBinding } from './change-run-binding';
import { ExecutorRegistry } from './executors';

/**
 * Runs one automated step (or its rollback) through its executor, and only for the workflow run
 * recorded on the change, after the gate admitted the token and claimed the step in the
 * execution ledger: a workflow started by hand, a reset run, an attacker's workflow or this
 * activity invoked directly gets nothing executed, and nothing executes a step twice. The
 * idempotency key comes from business ids, never the run id.
 */
@Injectable()
export class ChangeExecutionActivities {
  constructor(
    private readonly binding: ChangeRunBinding,
    private readonly gate: ChangeGateService,
    private readonly executors: ExecutorRegistry,
  ) {}

  async runStep(input: { token: string; changeId: string; stepId: string; phase: 'action' | 'rollback' }): Promise<{ outcome: 'succeeded' | 'failed'; detail: string }> {
    const caller = await this.binding.verify(input.changeId);
    const admitted = await this.gate.admit(input.token, input.changeId, input.stepId, input.phase, caller);
    // A retry after the executor answered reports what happened instead of doing it again.
    if (admitted.kind === 'recorded') return { outcome: admitted.outcome, detail: admitted.detail };
    const context = Context.current();
    const call = admitted.step[input.phase];
    const executor = String(call.executor);
    let result;
    try {
      result = await this.executors.forCall(call).execute(call, {
        changeId: input.changeId,
        stepId: input.stepId,
        phase: input.phase,
        // The same key on a retry after a crash (read from the claim), so the target can dedupe.
        idempotencyKey: admitted.idempotencyKey,
        signal: context.cancellationSignal,
        heartbeat: (details?: unknown) => context.heartbeat(details),
      });
    } catch (error) {
      // Steward refused to make the call (bad target, bad call): nothing reached the target, and
      // that is the outcome. Anything else (a crash, a cancel) leaves the claim open for the retry.
      if (error instanceof StewardError) {
        await this.gate.recordOutcome(input.changeId, input.stepId, input.phase, 'failed', error.message, { executor, refusedBy: 'steward' });
      }
      throw error;
    }
    return this.gate.recordOutcome(input.changeId, input.stepId, input.phase, result.outcome, result.detail, {
      executor,
      durationMs: result.durationMs,
      ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
      resumed: admitted.resumed,
    });
  }
}
