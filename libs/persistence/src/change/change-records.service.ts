import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError, failedChangeService, isFinalChangeState, settlementRefusal } from '@steward/domain';
import { DataSource, In } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { ConfigurationItemEntity } from '../cmdb/configuration-item.entity';
import { insertRows } from '../insert-rows';
import { ChangeFailureEntity } from './change-approval.entities';
import { ChangeEventEntity } from './change-event.entity';
import { ChangeRequestEntity } from './change-request.entity';

/**
 * What the API writes to a change outside its workflow: a change manager's settlement. What the
 * workflow records goes through its activities (activities/change).
 */
@Injectable()
export class ChangeRecordsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /**
   * A change manager settles a change its workflow can no longer finish (the recorded run was
   * reset, terminated, or ended without moving the change): the change becomes `failed` with the
   * reason and who decided, owes a post-implementation review, and leaves the attention list.
   * Nothing executes. The domain decides whether it may (`settlementRefusal`).
   */
  async settle(changeId: string, actor: string, reason: string, reviewDueMs: number, recordedRun: { runId: string | null; status: string; running: boolean }): Promise<ChangeRequestEntity> {
    return this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw new StewardError('not_found', `change ${changeId} not found`);
      const refusal = settlementRefusal({ changeId, state: change.state, final: isFinalChangeState(change.state), recordedRunRunning: recordedRun.running, attention: change.attentionReason !== null });
      if (refusal) throw new StewardError('conflict', refusal);
      const now = new Date();
      const cis = await tx.find(ConfigurationItemEntity, { select: { key: true, environment: true }, where: { key: In(change.ciKeys) } });
      const production = failedChangeService(change.ciKeys, cis) !== null;
      await insertRows(
        tx,
        ChangeFailureEntity,
        [Object.assign(new ChangeFailureEntity(), { changeId, at: now, endState: 'failed', reason: `settled by ${actor}: ${reason}`, failedStep: null, production, incidentId: null })],
        { ignoreConflicts: true },
      );
      const reviewDueAt = new Date(now.getTime() + reviewDueMs);
      await tx.update(ChangeRequestEntity, { id: changeId }, { state: 'failed', endReason: reason, closureCode: 'failed', reviewDueAt, attentionReason: null, attentionAt: null });
      const data = { from: change.state, to: 'failed', reason, settled: true, attention: change.attentionReason, recordedRun };
      await insertRows(tx, ChangeEventEntity, [Object.assign(new ChangeEventEntity(), { changeId, eventKey: `settled:${now.getTime()}`, at: now, type: 'state_changed', actor, data })]);
      await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.settled', actor, at: now, data: { ...data, reviewDueAt: reviewDueAt.toISOString() } });
      return tx.findOneOrFail(ChangeRequestEntity, { where: { id: changeId } });
    });
  }
}
