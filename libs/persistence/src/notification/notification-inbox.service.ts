import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Whose inbox: the user and the groups their token names. */
export interface InboxOwner {
  userId: string;
  groups: string[];
}

export interface InboxItem {
  id: string;
  kind: string;
  message: string;
  changeId: string | null;
  incidentId: string | null;
  problemId: string | null;
  createdAt: Date;
  read: boolean;
}

/** In-app notifications as one user sees them: theirs and their groups', read state their own. */
@Injectable()
export class NotificationInbox {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(owner: InboxOwner, options: { unreadOnly: boolean; limit: number }): Promise<InboxItem[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT n."id", n."kind", n."message", n."change_id", n."incident_id", n."problem_id", n."created_at", r."read_at"
         FROM "notification" n
         LEFT JOIN "notification_read" r ON r."notification_id" = n."id" AND r."user_id" = $2
        WHERE n."recipient" = ANY($1::varchar[])
          AND ($3::boolean IS FALSE OR r."read_at" IS NULL)
        ORDER BY n."created_at" DESC, n."id" DESC
        LIMIT $4`,
      [recipientsOf(owner), owner.userId, options.unreadOnly, options.limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      kind: r.kind as string,
      message: r.message as string,
      changeId: (r.change_id as string | null) ?? null,
      incidentId: (r.incident_id as string | null) ?? null,
      problemId: (r.problem_id as string | null) ?? null,
      createdAt: r.created_at as Date,
      read: r.read_at !== null && r.read_at !== undefined,
    }));
  }

  /**
   * Marks one notification read for this user. False when it is not in their inbox: the caller
   * answers 404, the same as for a notification that does not exist, so ids reveal nothing.
   * Marking twice keeps the first time.
   */
  async markRead(owner: InboxOwner, notificationId: string): Promise<boolean> {
    const rows: Array<{ id: string }> = await this.db.query(
      `WITH mine AS (SELECT "id" FROM "notification" WHERE "id" = $1 AND "recipient" = ANY($2::varchar[])),
            marked AS (INSERT INTO "notification_read" ("notification_id", "user_id", "read_at")
                       SELECT "id", $3, now() FROM mine ON CONFLICT DO NOTHING)
       SELECT "id" FROM mine`,
      [notificationId, recipientsOf(owner), owner.userId],
    );
    return rows.length > 0;
  }
}

function recipientsOf(owner: InboxOwner): string[] {
  return [`user:${owner.userId}`, ...owner.groups.map((group) => `group:${group}`)];
}
