import type { DecisionPayload } from '@steward/contracts';
import { AuthorizationTokens, InvalidAuthorizationToken } from './authorization-token';
import { DecisionSigner } from './decision-signer';
import { StewardKeys } from './keys';

const keys = new StewardKeys('a-signing-secret-for-tests-0123456789abcdef');
const decision: DecisionPayload = {
  changeId: 'CHG-000001',
  planHash: 'a'.repeat(64),
  approver: { id: 'bob', name: 'Bob', roles: ['cab_member'], groups: ['cab', 'payments-team'] },
  decision: 'approve',
  comment: 'ok',
  at: '2026-11-30T10:00:00.000Z',
};

describe('DecisionSigner', () => {
  const signer = new DecisionSigner(keys);

  it('verifies what it signed, whatever the order of groups and roles', () => {
    const signed = signer.sign(decision);
    expect(signer.verify(signed)).toBe(true);
    expect(signer.verify({ ...signed, approver: { ...signed.approver, groups: ['payments-team', 'cab'] } })).toBe(true);
  });

  it('refuses any altered field', () => {
    const signed = signer.sign(decision);
    for (const altered of [
      { ...signed, decision: 'reject' as const },
      { ...signed, planHash: 'b'.repeat(64) },
      { ...signed, changeId: 'CHG-000002' },
      { ...signed, approver: { ...signed.approver, roles: ['change_manager'] } },
      { ...signed, at: '2026-11-30T10:00:01.000Z' },
      { ...signed, signature: '0'.repeat(64) },
      { ...signed, signature: 'not hex' },
    ]) {
      expect(signer.verify(altered)).toBe(false);
    }
  });

  it('refuses a signature made with another secret', () => {
    const other = new DecisionSigner(new StewardKeys('another-secret-of-sufficient-length-000000'));
    expect(signer.verify(other.sign(decision))).toBe(false);
  });
});

describe('AuthorizationTokens', () => {
  const tokens = new AuthorizationTokens(keys);
  const claims = { changeId: 'CHG-000001', planHash: 'a'.repeat(64), runId: 'run-1', windowStart: '2026-11-30T10:00:00.000Z', windowEnd: '2026-11-30T12:00:00.000Z' };

  it('round-trips the claims of a token it issued', () => {
    const { token, claims: issued } = tokens.issue(claims, new Date('2026-11-30T09:59:00Z'));
    expect(tokens.verify(token)).toEqual(issued);
  });

  it('refuses forged, altered and malformed tokens', () => {
    const { token } = tokens.issue(claims, new Date());
    const [body, mac] = token.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, changeId: 'CHG-000666' })).toString('base64url');
    expect(() => tokens.verify(`${forgedBody}.${mac}`)).toThrow(InvalidAuthorizationToken);
    expect(() => tokens.verify(`${body}.${'0'.repeat(64)}`)).toThrow(/bad signature/);
    expect(() => tokens.verify('garbage')).toThrow(/malformed/);
    expect(() => tokens.verify(undefined)).toThrow(/no token/);
  });

  it('keeps purposes apart: a decision key cannot make a token', () => {
    expect(keys.key('decision').equals(keys.key('authorization'))).toBe(false);
  });
});
