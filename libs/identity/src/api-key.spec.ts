import { apiKeyIdOf, apiKeyMatches, generateApiKey, hashApiKey } from './api-key';

describe('API keys', () => {
  it('generates recognisable, high-entropy keys whose id can be read back', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^stw_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyIdOf(a.key)).toBe(a.keyId);
    expect(a.key).not.toBe(b.key);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).not.toContain(a.key.slice(21));
  });

  it('matches only the key whose hash is stored', () => {
    const { key, hash } = generateApiKey();
    expect(apiKeyMatches(key, hash)).toBe(true);
    expect(apiKeyMatches(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, hash)).toBe(false);
    expect(apiKeyMatches(key, 'ab')).toBe(false);
  });

  it('reads no id from a malformed key or a JWT', () => {
    expect(apiKeyIdOf('stw_short_x')).toBeUndefined();
    expect(apiKeyIdOf('eyJhbGciOiJIUzI1NiJ9.e30.x')).toBeUndefined();
  });
});
