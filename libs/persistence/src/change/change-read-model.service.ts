import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ChangeTransition } from '@steward/contracts';
import { StewardError, isFinalChangeState, transitionRefusal } from '@steward/domain';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { ChangeEventEntity } from './change-event.entity';
import { ChangeRequestEntity } from './change-request.entity';

/**
 * Keeps the change read model (row + timeline) in step with the workflow. Every write is
 * idempotent, because activities run at least once.
 */
@Injectable()
export class ChangeReadModel {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Applies one workflow transition. `sequence` is the transition's position in the
   * workflow's history: a retry writes the same event key and changes nothing. A new
   * transition must be one the lifecycle allows from the state stored now; anything else is
   * refused (audited) and changes nothing.
   */
  async recordTransition(changeId: string, sequence: number, transition: ChangeTransition): Promise<void> {
    const refusal = await this.db.transaction(async (tx) => {
      const change = await tx.findOne(ChangeRequestEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_write' } });
      if (!change) throw new StewardError('not_found', `change ${changeId} has no record: it was not submitted through Steward`);
      const eventKey = `transition:${sequence}`;
      // A re-delivery of a transition already recorded: accepted, and nothing moves again.
      if (await tx.exists(ChangeEventEntity, { where: { changeId, eventKey } })) return undefined;
      const reason = transitionRefusal(changeId, change.state, transition);
      if (reason) {
        await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.transition_refused', actor: transition.actor, data: { stored: change.state, from: transition.from, to: transition.to, sequence, reason } });
        return reason;
      }
      await tx.insert(ChangeEventEntity, {
        changeId,
        eventKey,
        at: new Date(transition.at),
        type: 'state_changed',
        actor: transition.actor,
        data: { from: transition.from, to: transition.to, ...(transition.reason ? { reason: transition.reason } : {}) },
      });
      const final = isFinalChangeState(transition.to);
      await tx.update(ChangeRequestEntity, { id: changeId }, { state: transition.to, ...(final ? { endReason: transition.reason ?? null } : {}) });
      await this.audit.append(tx, {
        entity: 'change',
        entityId: changeId,
        action: 'change.state_changed',
        actor: transition.actor,
        at: new Date(transition.at),
        data: { from: transition.from, to: transition.to, ...(transition.reason ? { reason: transition.reason } : {}) },
      });
      return undefined;
    });
    if (refusal) throw new StewardError('conflict', refusal);
  }

  async findChange(changeId: string): Promise<ChangeRequestEntity | null> {
    return this.db.getRepository(ChangeRequestEntity).findOne({ where: { id: changeId } });
  }

  async timeline(changeId: string): Promise<ChangeEventEntity[]> {
    return this.db.getRepository(ChangeEventEntity).find({ where: { changeId }, order: { at: 'ASC', id: 'ASC' } });
  }
}
