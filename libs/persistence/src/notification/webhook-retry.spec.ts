import { WEBHOOK_MAX_ATTEMPTS, afterFailedAttempt, retryDelayMs } from './webhook-retry';

describe('webhook retry policy', () => {
  it('doubles the wait from one second after each failed attempt', () => {
    expect([1, 2, 3, 4, 9].map((n) => afterFailedAttempt(n))).toEqual([
      { giveUp: false, retryInMs: 1_000 },
      { giveUp: false, retryInMs: 2_000 },
      { giveUp: false, retryInMs: 4_000 },
      { giveUp: false, retryInMs: 8_000 },
      { giveUp: false, retryInMs: 256_000 },
    ]);
  });

  it('never waits more than five minutes', () => {
    expect(retryDelayMs(10)).toBe(300_000);
    expect(retryDelayMs(40)).toBe(300_000);
  });

  it('gives up after the tenth failed attempt', () => {
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(10);
    expect(afterFailedAttempt(10)).toEqual({ giveUp: true });
    expect(afterFailedAttempt(11)).toEqual({ giveUp: true });
  });
});
