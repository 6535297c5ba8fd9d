import type { ApproverIdentity } from './approval-vocabulary';
import { approvalRecord, castVote, identifiedApproval, type CastVote } from './approval-record';
import { evaluateApprovals } from './approval-policy';

const olga: ApproverIdentity = { id: 'olga', name: 'Olga', roles: ['cab_member'], groups: ['cab'] };
const PLAN = 'a'.repeat(64);
const row: CastVote = { approverId: 'olga', approverName: 'Olga', identity: olga, decision: 'approve', comment: 'ok', planHash: PLAN, at: new Date('2026-12-01T10:00:00.000Z'), voided: false };

describe('approval records', () => {
  it('shows a stored vote without the roles and groups it was signed with', () => {
    expect(approvalRecord(row)).toEqual({ approver: 'olga', approverName: 'Olga', decision: 'approve', comment: 'ok', planHash: PLAN, at: '2026-12-01T10:00:00.000Z', voided: false });
  });

  it('reads a signed decision the same way as the row it is stored as', () => {
    const signed = { changeId: 'CHG-000001', approver: olga, decision: 'approve' as const, comment: 'ok', planHash: PLAN, at: '2026-12-01T10:00:00.000Z' };
    expect(approvalRecord(castVote(signed, false))).toEqual(approvalRecord(row));
    expect(identifiedApproval(castVote(signed, true))).toEqual({ ...approvalRecord(row), voided: true, identity: olga });
  });

  it('keeps the recorded voter apart from the signed identity, so a row rewritten for someone else does not count', () => {
    const policy = { policyId: 'p', version: 1, name: 'CAB', rules: [{ id: 'cab', description: 'one CAB member', count: 1, groups: ['cab'] }] };
    expect(evaluateApprovals(policy, [identifiedApproval(row)], 'rita', PLAN).outcome).toBe('approved');
    expect(evaluateApprovals(policy, [identifiedApproval({ ...row, approverId: 'mallory' })], 'rita', PLAN).outcome).toBe('pending');
  });
});
