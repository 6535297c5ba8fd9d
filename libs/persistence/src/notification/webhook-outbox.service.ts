import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { WebhookDeliveryState } from './notification.entities';
import { afterFailedAttempt } from './webhook-retry';

/** A delivery taken by one dispatcher; `attempts` already counts the attempt about to be made. */
export interface ClaimedDelivery {
  id: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export interface DeliveryStatus {
  id: string;
  notificationKey: string;
  state: WebhookDeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/**
 * The webhook outbox as the dispatchers see it. A claim is a lease, not a held lock: the row's
 * next attempt is pushed past the lease and the transaction ends at once, so no connection waits
 * on a slow chat service, several workers never take the same row, and a worker that dies
 * mid-delivery leaves the row to be taken again when its lease runs out.
 */
@Injectable()
export class WebhookOutbox {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    // For UPDATE ... RETURNING TypeORM's postgres driver answers [rows, rowCount].
    const [rows]: [Array<{ id: string; payload: Record<string, unknown>; attempts: number }>, number] = await this.db.query(
      `UPDATE "webhook_delivery" SET "attempts" = "attempts" + 1, "next_attempt_at" = now() + make_interval(secs => $2::double precision / 1000)
        WHERE "id" IN (
          SELECT "id" FROM "webhook_delivery" WHERE "state" = 'pending' AND "next_attempt_at" <= now()
           ORDER BY "next_attempt_at", "id" LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING "id", "payload", "attempts"`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({ id: String(r.id), payload: r.payload, attempts: Number(r.attempts) }));
  }

  /**
   * Records how a claimed attempt went. Guarded by the attempt number: a dispatcher whose lease
   * ran out (another took the row since) does not overwrite the newer attempt's outcome.
   */
  async recordOutcome(delivery: ClaimedDelivery, outcome: { delivered: true } | { delivered: false; error: string }): Promise<void> {
    if (outcome.delivered) {
      await this.db.query(
        `UPDATE "webhook_delivery" SET "state" = 'delivered', "delivered_at" = now() WHERE "id" = $1 AND "attempts" = $2 AND "state" = 'pending'`,
        [delivery.id, delivery.attempts],
      );
      return;
    }
    const next = afterFailedAttempt(delivery.attempts);
    const error = outcome.error.slice(0, 2000);
    if (next.giveUp) {
      await this.db.query(
        `UPDATE "webhook_delivery" SET "state" = 'failed', "last_error" = $3 WHERE "id" = $1 AND "attempts" = $2 AND "state" = 'pending'`,
        [delivery.id, delivery.attempts, error],
      );
    } else {
      await this.db.query(
        `UPDATE "webhook_delivery" SET "last_error" = $3, "next_attempt_at" = now() + make_interval(secs => $4::double precision / 1000)
          WHERE "id" = $1 AND "attempts" = $2 AND "state" = 'pending'`,
        [delivery.id, delivery.attempts, error, next.retryInMs],
      );
    }
  }

  /** Newest first, for the admin's view of the channel's health. */
  async list(limit: number): Promise<DeliveryStatus[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT "id", "notification_key", "state", "attempts", "next_attempt_at", "last_error", "delivered_at", "created_at"
         FROM "webhook_delivery" ORDER BY "created_at" DESC, "id" DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      notificationKey: r.notification_key as string,
      state: r.state as WebhookDeliveryState,
      attempts: Number(r.attempts),
      nextAttemptAt: r.next_attempt_at as Date,
      lastError: (r.last_error as string | null) ?? null,
      deliveredAt: (r.delivered_at as Date | null) ?? null,
      createdAt: r.created_at as Date,
    }));
  }
}
