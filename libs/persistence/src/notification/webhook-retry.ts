/** After this many failed attempts a delivery is given up (`failed`, its last error kept). */
export const WEBHOOK_MAX_ATTEMPTS = 10;

const FIRST_RETRY_MS = 1_000;
const LONGEST_WAIT_MS = 5 * 60_000;

/**
 * The wait after the `attempts`-th failure: 1 s, 2 s, 4 s..., never more than 5 min. Doubling
 * keeps a flapping chat service from being hammered while a short outage costs only seconds.
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_WAIT_MS);
}

/** What follows a failed attempt: the next one after a wait, or giving up at the limit. */
export function afterFailedAttempt(attempts: number): { giveUp: true } | { giveUp: false; retryInMs: number } {
  return attempts >= WEBHOOK_MAX_ATTEMPTS ? { giveUp: true } : { giveUp: false, retryInMs: retryDelayMs(attempts) };
}
