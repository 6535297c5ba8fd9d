import type { StepAction } from '@steward/contracts';

/** What an executor knows of the step it runs, beyond the call itself. */
export interface StepExecutionContext {
  changeId: string;
  stepId: string;
  phase: 'action' | 'rollback';
  /**
   * From business ids (change id + step id + phase + attempt of the plan), never the run id:
   * an activity can run again after a worker dies, and the target refuses repeats by it.
   */
  idempotencyKey: string;
  /** Aborts when the activity is cancelled; the executor then throws its reason. */
  signal: AbortSignal;
  /** Records progress; cancellation reaches an activity only through heartbeats. */
  heartbeat: (details?: unknown) => void;
}

export interface StepExecutionResult {
  outcome: 'succeeded' | 'failed';
  detail: string;
  /** The target's HTTP status, when it answered. */
  statusCode?: number;
  durationMs: number;
}

/**
 * Runs one executor call of an automated step. A failure of the target (non-2xx, timeout,
 * unreachable, simulated failure) is an outcome 'failed' with a detail; a refusal by Steward
 * (a call it will not make: bad target, bad call) throws StewardError('invalid' | 'forbidden'),
 * which the activity layer turns into a non-retryable failure. An abort throws the signal's reason.
 */
export interface StepExecutor {
  execute(call: StepAction, context: StepExecutionContext): Promise<StepExecutionResult>;
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
