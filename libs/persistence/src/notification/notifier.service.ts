import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotificationOptions } from '@steward/config';
import { DataSource } from 'typeorm';
import { NotificationEntity } from '../change/change-approval.entities';
import { insertRows } from '../insert-rows';
import { WebhookDeliveryEntity } from './notification.entities';

/** One thing to tell people about. */
export interface NotificationRequest {
  /** `user:<id>` or `group:<name>`. */
  recipients: string[];
  /** What happened, e.g. `incident_escalated`, `stakeholder_update_reminder`. */
  kind: string;
  /** One line, readable in a chat channel. */
  message: string;
  changeId?: string;
  incidentId?: string;
  problemId?: string;
  /** Same key, same notification: retried activities notify once. */
  dedupeKey: string;
}

/** What the webhook receives: Slack reads `text`; other receivers get the fields as well. */
export interface WebhookPayload {
  text: string;
  kind: string;
  message: string;
  recipients: string[];
  changeId?: string;
  incidentId?: string;
  problemId?: string;
  /** ISO 8601, when the notification was written. */
  at: string;
}

/**
 * The notifier: in-app notifications listed per user, and the outbound webhook. Writing is all a
 * caller waits for; delivery to the webhook happens later and retries on its own, so a chat
 * service that is down never holds up an incident.
 */
@Injectable()
export class Notifier {
  private readonly webhookUrl?: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    // Absent where no process settings are provided (scripts): in-app notifications only.
    @Optional() options?: NotificationOptions,
  ) {
    this.webhookUrl = options?.webhookUrl;
  }

  async notify(request: NotificationRequest): Promise<void> {
    const recipients = [...new Set(request.recipients)];
    // One transaction: the outbox row exists exactly when the in-app rows do, so a crash between
    // the two can neither lose the chat message nor send one nobody can find in the app.
    await this.db.transaction(async (tx) => {
      await insertRows(
        tx,
        NotificationEntity,
        recipients.map((recipient) =>
          Object.assign(new NotificationEntity(), {
            recipient,
            kind: request.kind,
            message: request.message,
            changeId: request.changeId ?? null,
            incidentId: request.incidentId ?? null,
            problemId: request.problemId ?? null,
            dedupeKey: `${request.dedupeKey}:${recipient}`,
          }),
        ),
        { ignoreConflicts: true },
      );
      if (!this.webhookUrl) return;
      const payload: WebhookPayload = {
        text: `${request.kind}: ${request.message}`,
        kind: request.kind,
        message: request.message,
        recipients,
        ...(request.changeId ? { changeId: request.changeId } : {}),
        ...(request.incidentId ? { incidentId: request.incidentId } : {}),
        ...(request.problemId ? { problemId: request.problemId } : {}),
        at: new Date().toISOString(),
      };
      await insertRows(
        tx,
        WebhookDeliveryEntity,
        [Object.assign(new WebhookDeliveryEntity(), { notificationKey: request.dedupeKey, payload: { ...payload } })],
        { ignoreConflicts: true },
      );
    });
  }
}
