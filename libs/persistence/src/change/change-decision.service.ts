import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { SignedDecision } from '@steward/contracts';
import { DecisionVerifier } from '@steward/security';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service';
import { insertRows } from '../insert-rows';
import { ChangeApprovalEntity } from './change-approval.entities';
import { ChangeEventEntity } from './change-event.entity';

/** What became of a decision handed to the worker: counted, or refused for want of the API's signature. */
export type DecisionAcceptance = 'recorded' | 'not_signed';

/** Records CAB decisions and their refusals, each audited (voiding is the change activities' own). */
@Injectable()
export class ChangeDecisionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly signer: DecisionVerifier,
    private readonly audit: AuditLog,
  ) {}

  verify(decision: SignedDecision): boolean {
    return this.signer.verify(decision);
  }

  /** Records a decision only if the API signed it; an unsigned one is recorded as a refusal instead. */
  async accept(decision: SignedDecision): Promise<DecisionAcceptance> {
    if (!this.verify(decision)) {
      await this.refuse(decision.changeId, decision.approver?.id ?? 'unknown', 'decision not signed by Steward');
      return 'not_signed';
    }
    await this.record(decision);
    return 'recorded';
  }

  /** Idempotent on the signature: a retried activity records the decision once. */
  async record(decision: SignedDecision): Promise<void> {
    await this.db.transaction(async (tx) => {
      const inserted = await insertRows(
        tx,
        ChangeApprovalEntity,
        [
          Object.assign(new ChangeApprovalEntity(), {
            changeId: decision.changeId,
            approverId: decision.approver.id,
            approverName: decision.approver.name,
            identity: decision.approver,
            decision: decision.decision,
            comment: decision.comment,
            planHash: decision.planHash,
            at: new Date(decision.at),
            signature: decision.signature,
            voided: false,
          }),
        ],
        { ignoreConflicts: true },
      );
      if (inserted === 0) return;
      await insertRows(tx, ChangeEventEntity, [
        Object.assign(new ChangeEventEntity(), {
          changeId: decision.changeId,
          eventKey: `decision:${decision.signature}`,
          at: new Date(decision.at),
          type: 'decision',
          actor: decision.approver.id,
          data: { decision: decision.decision, comment: decision.comment, planHash: decision.planHash },
        }),
      ]);
      await this.audit.append(tx, {
        entity: 'change',
        entityId: decision.changeId,
        action: `change.decision.${decision.decision}`,
        actor: decision.approver.id,
        at: new Date(decision.at),
        data: { planHash: decision.planHash, comment: decision.comment, roles: decision.approver.roles, groups: decision.approver.groups, signature: decision.signature },
      });
    });
  }

  async refuse(changeId: string, actor: string, reason: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(ChangeEventEntity, { changeId, eventKey: `refusal:${Date.now()}:${actor}`.slice(0, 100), at: new Date(), type: 'decision_refused', actor, data: { reason } });
      await this.audit.append(tx, { entity: 'change', entityId: changeId, action: 'change.decision_refused', actor, data: { reason } });
    });
  }
}
