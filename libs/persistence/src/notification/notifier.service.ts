import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationEntity } from '../change/change-approval.entities';
import { insertRows } from '../insert-rows';

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

/**
 * The notifier: in-app notifications listed per user, and the outbound webhook. Writing is all a
 * caller waits for; delivery to the webhook happens later and retries on its own, so a chat
 * service that is down never holds up an incident.
 */
@Injectable()
export class Notifier {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async notify(request: NotificationRequest): Promise<void> {
    await insertRows(
      this.db.manager,
      NotificationEntity,
      [...new Set(request.recipients)].map((recipient) =>
        Object.assign(new NotificationEntity(), {
          recipient,
          kind: request.kind,
          message: request.message,
          changeId: request.changeId ?? null,
          dedupeKey: `${request.dedupeKey}:${recipient}`,
        }),
      ),
      { ignoreConflicts: true },
    );
  }
}
