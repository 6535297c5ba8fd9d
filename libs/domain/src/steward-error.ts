/**
 * What went wrong, in the words the API answers with. The HTTP filter maps the code to a
 * status, activities map it to a non-retryable failure of the same type, and workflow update
 * handlers throw it as an ApplicationFailure so the API can map it back.
 */
export const STEWARD_ERROR_CODES = ['invalid', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'unavailable'] as const;
export type StewardErrorCode = (typeof STEWARD_ERROR_CODES)[number];

export class StewardError extends Error {
  constructor(
    readonly code: StewardErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'StewardError';
  }
}

export function isStewardErrorCode(value: unknown): value is StewardErrorCode {
  return typeof value === 'string' && (STEWARD_ERROR_CODES as readonly string[]).includes(value);
}
