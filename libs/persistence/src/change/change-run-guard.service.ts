import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError, isChangeId, runBinding, type CallerRun } from '@steward/domain';
import { DataSource, IsNull } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { insertRows } from '../insert-rows';
import { ChangeEventEntity } from './change-event.entity';
import { ChangeRequestEntity } from './change-request.entity';

/** A workflow run refused by the guard: who called, which activity, and why. */
export interface ForeignRun {
  workflowId: string | null;
  runId: string | null;
  activity: string;
}

/**
 * Loads what the run-binding rule needs and stores what it decides: the one check every change
 * activity makes before it writes or executes anything. A refusal is audited, and when the
 * caller carries the change's own workflow id (a reset, a workflow started by hand with that
 * id) the change is marked for a change manager.
 */
@Injectable()
export class ChangeRunGuard {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Returns when `caller` is the run Steward started and recorded for the change. Throws
   * StewardError('forbidden') otherwise (non-retryable), or a plain Error (retryable) while the
   * API may still be recording the run it has just started.
   */
  async check(changeId: string, caller: CallerRun | null, activity: string, now = new Date()): Promise<void> {
    // Inputs can be anything a caller wrote: never let a missing id turn into "any change".
    if (typeof changeId !== 'string' || !isChangeId(changeId)) throw new StewardError('invalid', 'a change activity must name its change');
    const change = await this.db.getRepository(ChangeRequestEntity).findOne({ select: { id: true, workflowRunId: true, createdAt: true }, where: { id: changeId } });
    if (!change) throw new StewardError('not_found', `change ${changeId} has no record: it was not submitted through Steward`);
    const binding = runBinding({ changeId, recordedRunId: change.workflowRunId, caller, submittedAt: change.createdAt, now });
    if (binding.verdict === 'bound') return;
    if (binding.verdict === 'pending') throw new Error(binding.reason);

    const who: ForeignRun = { workflowId: caller?.workflowId ?? null, runId: caller?.runId ?? null, activity };
    await this.db.transaction(async (tx) => {
      await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.foreign_run_refused', actor: 'steward', data: { ...who, reason: binding.reason } });
      if (!binding.sameWorkflow) return;
      // The first such call marks the change; later ones are audited but keep the first reason.
      const marked = await tx.update(ChangeRequestEntity, { id: changeId, attentionReason: IsNull() }, { attentionReason: binding.reason, attentionAt: now });
      if (!marked.affected) return;
      await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.marked_for_attention', actor: 'steward', data: { ...who, reason: binding.reason } });
      await insertRows(tx, ChangeEventEntity, [
        Object.assign(new ChangeEventEntity(), { changeId, eventKey: `attention:${now.getTime()}`, at: now, type: 'attention_needed', actor: 'steward', data: { ...who, reason: binding.reason } }),
      ]);
    });
    throw new StewardError('forbidden', binding.reason, { ...who });
  }
}
