import { generateKeyPairSync } from 'node:crypto';
import { AuditCheckpointKeys, auditKeyId } from './audit-checkpoint-keys';

function ed25519(): { privatePem: string; privateBase64: string; publicSpki: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    privateBase64: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicSpki: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

describe('AuditCheckpointKeys', () => {
  const a = ed25519();
  const b = ed25519();

  it('reads PEM and base64 DER alike, to the same key id', () => {
    expect(new AuditCheckpointKeys({ signingKey: a.privatePem }).keyId).toBe(new AuditCheckpointKeys({ signingKey: a.privateBase64 }).keyId);
  });

  it('signs a claim that it then verifies; any change to the claim breaks it', () => {
    const keys = new AuditCheckpointKeys({ signingKey: a.privatePem });
    const claim = { headSeq: '7', headHash: 'c'.repeat(64), events: '7', at: '2026-12-06T00:00:00.000Z', keyId: keys.keyId! };
    const signature = keys.sign(claim);
    expect(keys.verify(claim, signature)).toBe('valid');
    expect(keys.verify({ ...claim, headHash: 'd'.repeat(64) }, signature)).toBe('invalid');
    expect(keys.verify(claim, Buffer.alloc(64).toString('base64'))).toBe('invalid');
  });

  it('verifies an earlier key listed as trusted, and says unknown for any other', () => {
    const old = new AuditCheckpointKeys({ signingKey: a.privatePem });
    const claim = { headSeq: '1', headHash: 'e'.repeat(64), events: '1', at: '2026-12-06T00:00:00.000Z', keyId: old.keyId! };
    const signature = old.sign(claim);
    expect(new AuditCheckpointKeys({ signingKey: b.privatePem, trustedPublicKeys: [a.publicSpki] }).verify(claim, signature)).toBe('valid');
    expect(new AuditCheckpointKeys({ signingKey: b.privatePem }).verify(claim, signature)).toBe('unknown_key');
  });

  it('without a signing key it cannot sign', () => {
    const keys = new AuditCheckpointKeys();
    expect(keys.canSign).toBe(false);
    expect(() => keys.sign({ headSeq: '1', headHash: 'a', events: '1', at: 'x', keyId: 'y' })).toThrow(/AUDIT_SIGNING_KEY/);
  });

  it('names a key by a fingerprint of its public half', () => {
    const keys = new AuditCheckpointKeys({ signingKey: a.privatePem });
    expect(keys.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(auditKeyId(keys.publicKey!)).toBe(keys.keyId);
  });
});
