import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { NotificationEntity } from '../change/change-approval.entities';

export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

/**
 * Who has read which notification. Read state is per user, not per row: a notification to
 * `group:service-desk` is one row that every member reads on their own.
 */
@Entity({ name: 'notification_read' })
export class NotificationReadEntity {
  @PrimaryColumn({ name: 'notification_id', type: 'bigint', primaryKeyConstraintName: 'pk_notification_read' })
  notificationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 200, primaryKeyConstraintName: 'pk_notification_read' })
  userId: string;

  @Column({ name: 'read_at', type: 'timestamptz' })
  readAt: Date;

  @ManyToOne(() => NotificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'fk_notification_read_notification' })
  notification?: NotificationEntity;
}

/**
 * The webhook outbox: written in the notifier's transaction, delivered later by the worker's
 * dispatcher, so a chat service that is down never holds up a workflow. One row per notify
 * request (not per recipient): the channel is told once.
 */
@Entity({ name: 'webhook_delivery' })
@Unique('uq_webhook_delivery_notification_key', ['notificationKey'])
@Check('ck_webhook_delivery_state', `"state" IN ('pending','delivered','failed')`)
@Index('ix_webhook_delivery_due', ['state', 'nextAttemptAt'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_webhook_delivery' })
  id: string;

  /** The notify request's dedupe key: a retried activity queues no second delivery. */
  @Column({ name: 'notification_key', type: 'varchar', length: 200 })
  notificationKey: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  state: WebhookDeliveryState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
