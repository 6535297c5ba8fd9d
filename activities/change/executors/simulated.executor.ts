import { Injectable } from '@nestjs/common';
import type { StepAction } from '@steward/contracts';
import { StewardError } from '@steward/domain';
import { abortableDelay, type StepExecutionContext, type StepExecutionResult, type StepExecutor } from './step-executor';

/** `{ executor: 'simulated', outcome: 'succeed' | 'fail', durationMs? }`: for demos and tests. */
export interface SimulatedCall {
  executor: 'simulated';
  outcome: 'succeed' | 'fail';
  durationMs: number;
}

export const MAX_SIMULATED_DURATION_MS = 3_600_000;
/** The longest wait between two heartbeats. */
export const SIMULATED_SLICE_MS = 1_000;

/** The call as the simulated executor runs it; StewardError('invalid') naming the bad field. */
export function parseSimulatedCall(call: StepAction): SimulatedCall {
  if (call.executor !== 'simulated') throw new StewardError('invalid', `not a simulated executor call: executor is ${JSON.stringify(call.executor)}`, { field: 'executor' });
  if (call.outcome !== 'succeed' && call.outcome !== 'fail') {
    throw new StewardError('invalid', 'simulated executor: outcome must be "succeed" or "fail"', { field: 'outcome' });
  }
  const durationMs = call.durationMs ?? 0;
  if (typeof durationMs !== 'number' || !Number.isInteger(durationMs) || durationMs < 0 || durationMs > MAX_SIMULATED_DURATION_MS) {
    throw new StewardError('invalid', `simulated executor: durationMs must be an integer from 0 to ${MAX_SIMULATED_DURATION_MS}`, { field: 'durationMs' });
  }
  return { executor: 'simulated', outcome: call.outcome, durationMs };
}

/**
 * Waits `durationMs` in slices of at most a second, heartbeating after each, and then reports
 * the outcome it was told to. An abort stops it early with the signal's reason.
 */
@Injectable()
export class SimulatedExecutor implements StepExecutor {
  async execute(call: StepAction, context: StepExecutionContext): Promise<StepExecutionResult> {
    const parsed = parseSimulatedCall(call);
    const started = performance.now();
    if (context.signal.aborted) throw context.signal.reason;
    let waited = 0;
    while (waited < parsed.durationMs) {
      const slice = Math.min(SIMULATED_SLICE_MS, parsed.durationMs - waited);
      await abortableDelay(slice, context.signal);
      waited += slice;
      context.heartbeat({ executor: 'simulated', waitedMs: waited, durationMs: parsed.durationMs });
    }
    const durationMs = Math.round(performance.now() - started);
    return parsed.outcome === 'succeed'
      ? { outcome: 'succeeded', detail: `simulated success after ${parsed.durationMs} ms`, durationMs }
      : { outcome: 'failed', detail: `simulated failure after ${parsed.durationMs} ms`, durationMs };
  }
}
