import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { StewardError } from '@steward/domain';

/**
 * A domain refusal (not found, conflict, forbidden...) will not get better by retrying: it
 * becomes a non-retryable failure whose type is the error code, so the workflow and the API
 * can tell it from an outage. Everything else stays retryable.
 */
export class DomainErrorInterceptor implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      return await next(input);
    } catch (error) {
      if (error instanceof StewardError) {
        throw ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: true, details: error.details ? [error.details] : [] });
      }
      throw error;
    }
  }
}
