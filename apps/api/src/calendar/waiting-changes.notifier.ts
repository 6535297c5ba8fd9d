import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { calendarChangedSignal } from '@steward/contracts';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';

/** States in which a change's workflow is waiting on the calendar, or will consult it. */
const WAITING = ['awaiting_approval', 'changes_requested', 'scheduled'];

/**
 * Pushes a calendar change (a freeze declared, a window added or removed) to the workflows of
 * the changes it can affect, so they look for their interval again at once instead of finding
 * out at wake-up. A signal is fire-and-forget by design: the re-check at wake-up still guards
 * a change whose signal was lost.
 */
@Injectable()
export class WaitingChangesNotifier {
  private readonly logger = new Logger(WaitingChangesNotifier.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly temporal: Client,
  ) {}

  async notify(scope: { cis: string[]; tags: string[] }, reason: string): Promise<number> {
    const unscoped = scope.cis.length === 0 && scope.tags.length === 0;
    const rows = (await this.db.query(
      `SELECT c.id, c.workflow_id FROM change_request c
        WHERE c.state = ANY($1)
          AND ($2 OR c.ci_keys && $3::text[]
               OR EXISTS (SELECT 1 FROM configuration_item ci WHERE ci.key = ANY(c.ci_keys) AND ci.tags && $4::text[]))`,
      [WAITING, unscoped, scope.cis, scope.tags],
    )) as Array<{ id: string; workflow_id: string }>;
    let signalled = 0;
    for (const row of rows) {
      try {
        await this.temporal.workflow.getHandle(row.workflow_id).signal(calendarChangedSignal, { reason });
        signalled += 1;
      } catch (error) {
        this.logger.warn({ err: error, changeId: row.id }, 'could not signal a waiting change; it re-checks the calendar at wake-up');
      }
    }
    return signalled;
  }
}
