import type { DecisionPayload } from '@steward/contracts';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { AuthorizationTokens, InvalidAuthorizationToken } from './authorization-token';
import { DecisionKeyError, decisionVerifyKeyOf, generateDecisionKeyPair, parseDecisionSigningKey, parseDecisionVerifyKey } from './decision-keys';
import { DecisionSigner, DecisionVerifier } from './decision-signer';
import { StewardKeys } from './keys';

const keys = new StewardKeys('a-signing-secret-for-tests-0123456789abcdef');
const pair = generateDecisionKeyPair();
const decision: DecisionPayload = {
  changeId: 'CHG-000001',
  planHash: 'a'.repeat(64),
  approver: { id: 'bob', name: 'Bob', roles: ['cab_member'], groups: ['cab', 'payments-team'] },
  decision: 'approve',
  comment: 'ok',
  at: '2026-11-30T10:00:00.000Z',
};

describe('DecisionSigner and DecisionVerifier (Ed25519)', () => {
  const signer = new DecisionSigner(parseDecisionSigningKey(pair.signingKey));
  const verifier = new DecisionVerifier(parseDecisionVerifyKey(pair.verifyKey));

  it('signs in base64url (64 bytes) and the public key alone verifies, whatever the order of groups and roles', () => {
    const signed = signer.sign(decision);
    expect(signed.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(Buffer.from(signed.signature, 'base64url')).toHaveLength(64);
    expect(verifier.verify(signed)).toBe(true);
    expect(verifier.verify({ ...signed, approver: { ...signed.approver, groups: ['payments-team', 'cab'] } })).toBe(true);
  });

  it('refuses any altered field', () => {
    const signed = signer.sign(decision);
    for (const altered of [
      { ...signed, decision: 'reject' as const },
      { ...signed, planHash: 'b'.repeat(64) },
      { ...signed, changeId: 'CHG-000002' },
      { ...signed, approver: { ...signed.approver, roles: ['change_manager'] } },
      { ...signed, at: '2026-11-30T10:00:01.000Z' },
      { ...signed, comment: 'ok!' },
      { ...signed, signature: 'A'.repeat(86) },
      { ...signed, signature: 'not base64url' },
    ]) {
      expect(verifier.verify(altered)).toBe(false);
    }
  });

  it('refuses a signature made with any other Ed25519 key', () => {
    const other = new DecisionSigner(generateKeyPairSync('ed25519').privateKey);
    expect(verifier.verify(other.sign(decision))).toBe(false);
  });

  it('refuses the HMAC signatures of earlier versions, even made with the old shared secret', () => {
    const oldSecret = 'an-old-shared-decision-signing-secret-000000';
    const hmac = createHmac('sha256', oldSecret).update(JSON.stringify(decision)).digest('hex');
    expect(verifier.verify({ ...decision, signature: hmac })).toBe(false);
  });

  it('a verifier cannot sign: it holds the public key only', () => {
    expect('sign' in verifier).toBe(false);
    expect(() => new DecisionVerifier(parseDecisionSigningKey(pair.signingKey))).toThrow(/public key/);
  });
});

describe('decision key formats', () => {
  it('reads the base64 seed and a PKCS#8 PEM alike, and derives the matching verify key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(decisionVerifyKeyOf(parseDecisionSigningKey(pem))).toBe(decisionVerifyKeyOf(privateKey));
    expect(decisionVerifyKeyOf(parseDecisionSigningKey(pair.signingKey))).toBe(pair.verifyKey);
  });

  it('names the variable for a key that is not Ed25519, too short, or the wrong half', () => {
    expect(() => parseDecisionSigningKey('dev-only-decision-key-change-me-in-production-0123')).toThrow(/DECISION_SIGNING_KEY/);
    expect(() => parseDecisionSigningKey(Buffer.alloc(16).toString('base64'))).toThrow(/DECISION_SIGNING_KEY must be an Ed25519 key of 32 bytes/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => parseDecisionSigningKey(rsa)).toThrow(DecisionKeyError);
    const privatePem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => parseDecisionVerifyKey(privatePem)).toThrow(/DECISION_VERIFY_KEY must be the public key/);
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

  it('keeps purposes apart: a token key cannot sign executor requests', () => {
    expect(keys.key('authorization').equals(keys.key('executor-request'))).toBe(false);
  });

  it('in the API (no worker secret) neither issues nor accepts a token', () => {
    const none = new AuthorizationTokens(null);
    const { token } = tokens.issue(claims, new Date());
    expect(() => none.issue(claims, new Date())).toThrow(/WORKER_SECRET/);
    expect(() => none.verify(token)).toThrow(/WORKER_SECRET/);
  });
});
