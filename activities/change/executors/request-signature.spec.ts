import { createHmac } from 'node:crypto';
import { computeSignature, signatureBase, signatureHeader, verifySignature } from './request-signature';

const KEY = 'executor-signing-key-0123456789abcdef';
const parts = { timestamp: 1_700_000_000, method: 'POST', url: 'https://deploy.example.com/hooks/run?x=1', body: '{"version":"1.2.3"}' };

describe('request signature', () => {
  it('signs "<timestamp>.<method>.<url>.<body>"', () => {
    expect(signatureBase(parts)).toBe('1700000000.POST.https://deploy.example.com/hooks/run?x=1.{"version":"1.2.3"}');
  });

  it('is the hex HMAC-SHA256 of the base with the signing key', () => {
    const expected = createHmac('sha256', KEY).update('1700000000.POST.https://deploy.example.com/hooks/run?x=1.{"version":"1.2.3"}').digest('hex');
    expect(computeSignature(KEY, parts)).toBe(expected);
    expect(signatureHeader(KEY, parts)).toBe(`sha256=${expected}`);
    expect(computeSignature(KEY, parts)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches known vectors computed with openssl', () => {
    // printf '%s' '1.GET.http://a/.' | openssl dgst -sha256 -hmac key
    expect(computeSignature('key', { timestamp: 1, method: 'GET', url: 'http://a/', body: '' })).toBe('85277337260b9456717c4a349426afb9a4f9b5b5a752a0e681d9051d78abc7f1');
    expect(signatureHeader(KEY, parts)).toBe('sha256=c9ccae9edaab568adaff7bf1510c8a8e8e4679cee8729bfb7a696bd2d06cffa1');
  });

  it('changes with every signed part and with the key', () => {
    const base = computeSignature(KEY, parts);
    expect(computeSignature(KEY, { ...parts, timestamp: parts.timestamp + 1 })).not.toBe(base);
    expect(computeSignature(KEY, { ...parts, method: 'PUT' })).not.toBe(base);
    expect(computeSignature(KEY, { ...parts, url: 'https://deploy.example.com/hooks/run?x=2' })).not.toBe(base);
    expect(computeSignature(KEY, { ...parts, body: '{"version":"1.2.4"}' })).not.toBe(base);
    expect(computeSignature(`${KEY}x`, parts)).not.toBe(base);
  });

  it('verifies in time, and refuses a stale, tampered or missing signature', () => {
    const now = new Date(parts.timestamp * 1000 + 10_000);
    const header = signatureHeader(KEY, parts);
    expect(verifySignature(KEY, parts, header, { now })).toBe(true);
    expect(verifySignature(KEY, { ...parts, body: '{}' }, header, { now })).toBe(false);
    expect(verifySignature(KEY, parts, header, { now: new Date(parts.timestamp * 1000 + 301_000) })).toBe(false);
    expect(verifySignature(KEY, parts, undefined, { now })).toBe(false);
    expect(verifySignature(KEY, parts, header.slice(0, -1), { now })).toBe(false);
  });
});
