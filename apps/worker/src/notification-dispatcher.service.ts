import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NotificationOptions } from '@steward/config';
import { WebhookOutbox, type ClaimedDelivery } from '@steward/persistence';

const DEFAULT_POLL_MS = 500;
const DEFAULT_TIMEOUT_MS = 5_000;
const BATCH = 20;

/**
 * Delivers the webhook outbox: the notifier only writes rows, this posts them, so a workflow
 * never waits on the chat service. Runs in the worker process beside the Temporal worker, not as
 * an activity: retries follow the outbox's own backoff rather than a workflow's retry policy,
 * and a notification needs no workflow to be delivered. Several workers may run it at once.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationDispatcher.name);
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly outbox: WebhookOutbox,
    private readonly options: NotificationOptions,
  ) {
    this.pollMs = options.dispatchPollMs ?? DEFAULT_POLL_MS;
    this.timeoutMs = options.deliveryTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  onApplicationBootstrap(): void {
    if (!this.options.webhookUrl) return;
    this.logger.log(`delivering notifications to the webhook every ${this.pollMs} ms`);
    this.schedule(0);
  }

  /** Stops polling, then lets the batch being delivered finish and record its outcomes. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.drain().finally(() => {
        this.inFlight = undefined;
        this.schedule(this.pollMs);
      });
    }, delayMs);
  }

  private async drain(): Promise<void> {
    try {
      // A full batch suggests a backlog: keep going rather than wait a poll interval per batch.
      while (!this.stopped) {
        const batch = await this.outbox.claimDue(BATCH, this.leaseMs());
        await Promise.all(batch.map((delivery) => this.deliver(delivery)));
        if (batch.length < BATCH) return;
      }
    } catch (error) {
      this.logger.error({ err: error }, 'webhook dispatch failed; trying again at the next poll');
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await this.post(delivery.payload);
    if (!outcome.delivered) {
      this.logger.warn(`webhook delivery ${delivery.id} attempt ${delivery.attempts} failed: ${outcome.error}`);
    }
    try {
      await this.outbox.recordOutcome(delivery, outcome);
    } catch (error) {
      // The lease runs out and the row is taken again: a delivered one may then be sent twice,
      // which a chat channel tolerates better than a lost incident message.
      this.logger.error({ err: error }, `could not record the outcome of webhook delivery ${delivery.id}`);
    }
  }

  private async post(payload: Record<string, unknown>): Promise<{ delivered: true } | { delivered: false; error: string }> {
    try {
      const response = await fetch(this.options.webhookUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Read the body either way so the connection is released back to the pool.
      const body = await response.text();
      if (response.ok) return { delivered: true };
      return { delivered: false, error: `HTTP ${response.status}${body ? `: ${body.slice(0, 200)}` : ''}` };
    } catch (error) {
      const err = error as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError') return { delivered: false, error: `no answer within ${this.timeoutMs} ms` };
      return { delivered: false, error: err.cause?.code ?? err.cause?.message ?? err.message };
    }
  }

  /** Longer than any batch can take, so a live dispatcher never sees its rows taken by another. */
  private leaseMs(): number {
    return 2 * this.timeoutMs + 30_000;
  }
}
