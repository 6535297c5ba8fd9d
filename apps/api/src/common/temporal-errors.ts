import { StewardError, isStewardErrorCode } from '@steward/domain';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';

/**
 * Turns what the Temporal client throws into the API's errors: a refusal by the workflow
 * (validator or handler) keeps its code; an unreachable server or a stalled update is a 503,
 * never a hung request or a 500.
 */
export function fromTemporalError(error: unknown, what: string): StewardError {
  if (error instanceof StewardError) return error;
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure && isStewardErrorCode(cause.type)) return new StewardError(cause.type, cause.message);
    return new StewardError('conflict', `${what} was refused: ${cause?.message ?? error.message}`);
  }
  if (error instanceof WorkflowNotFoundError) return new StewardError('conflict', `${what}: the workflow has ended or does not exist`);
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new StewardError('unavailable', `${what}: the workflow did not answer in time (is a worker running?)`);
  }
  if (isGrpcServiceError(error) || (error as Error)?.name === 'ServiceError' || (error as Error)?.name === 'TransportError') {
    return new StewardError('unavailable', `${what}: the workflow engine is unavailable`);
  }
  if ((error as Error)?.name === 'AbortError' || /deadline/i.test((error as Error)?.message ?? '')) {
    return new StewardError('unavailable', `${what}: the workflow engine did not answer in time`);
  }
  throw error;
}
