import type { ExecutorCredentials } from '@steward/config';
import { parseTargetPattern, type TargetPattern } from './target-policy';

export const MIN_SIGNING_KEY_LENGTH = 32;

/**
 * What the executors are configured with, injectable by type; the worker module provides it
 * (see ExecutorsModule.forRoot). Malformed patterns or a short key fail at construction, so a
 * worker refuses to start rather than refusing calls later.
 */
export class ExecutorSettings {
  /** The parsed EXECUTOR_ALLOWED_TARGETS patterns. */
  readonly targetPatterns: readonly TargetPattern[];

  constructor(
    /** EXECUTOR_ALLOWED_TARGETS: `host:port` patterns the http executor may call although not public. */
    readonly allowedTargets: string[],
    /** The HMAC key of `X-Steward-Signature`; targets verify requests with it. */
    readonly signingKey: string,
    /** EXECUTOR_CREDENTIALS, as loadConfig checked them: plans name them, only the worker holds them. */
    readonly credentials: Readonly<ExecutorCredentials> = {},
  ) {
    this.targetPatterns = allowedTargets.map((pattern) => parseTargetPattern(pattern));
    if (typeof signingKey !== 'string' || signingKey.length < MIN_SIGNING_KEY_LENGTH) {
      throw new Error(`the executor signing key must be at least ${MIN_SIGNING_KEY_LENGTH} characters`);
    }
  }
}
