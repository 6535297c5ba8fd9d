import { condition } from '@temporalio/workflow';
import { records, type ChangeRun } from './change-run';
import { voidDecisions } from './handlers';

export type ApprovalVerdict = 'authorized' | 'revised' | 'ended';

/** Waits for the policy's quorum, with a reminder, an escalation and expiry. */
export async function seekApproval(run: ChangeRun): Promise<ApprovalVerdict> {
  const { change, input } = run;
  const { changeId, settings } = input;
  // The deadline exists before the state says votes are welcome: validators check it.
  const since = Date.now();
  const deadline = change.openApproval(since, settings.approvalExpiryMs);
  await run.advance('awaiting_approval');
  const notify = (kind: 'approval_reminder' | 'approval_escalation') => () =>
    records.notifyApprovers({ changeId, kind, missing: change.missingApprovals(), policy: change.assessedPolicy! });
  const reminders = [
    { at: since + settings.approvalReminderMs, send: notify('approval_reminder') },
    { at: since + settings.approvalEscalationMs, send: notify('approval_escalation') },
  ];
  for (;;) {
    change.waitingFor = `approvals: ${change.missingApprovals().join('; ') || 'none missing'}`;
    const outcome = () => change.evaluation()?.outcome ?? 'pending';
    const next = reminders[0]?.at ?? deadline.getTime();
    const moved = await condition(() => change.isFinal || run.wake.planRevised || outcome() !== 'pending', Math.max(1, next - Date.now()));
    if (change.isFinal) return 'ended';
    if (run.wake.planRevised) return 'revised';
    if (!moved) {
      const reminder = reminders.shift();
      if (reminder) {
        await reminder.send();
        continue;
      }
      await run.advance('rejected', 'expired');
      return 'ended';
    }
    const verdict = outcome();
    if (verdict === 'approved') return 'authorized';
    const last = change.lastDecision()!;
    if (verdict === 'rejected') {
      await run.advance('rejected', `rejected by ${last.approver.id}: ${last.comment}`);
      return 'ended';
    }
    await voidDecisions(run, 'changes requested');
    await run.advance('changes_requested', `changes requested by ${last.approver.id}: ${last.comment}`);
    change.waitingFor = 'a revised plan from the requester';
    await condition(() => change.isFinal || run.wake.planRevised);
    return change.isFinal ? 'ended' : 'revised';
  }
}
