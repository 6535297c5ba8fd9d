import { CHECKPOINT_FORMAT } from '@steward/domain';
import { generateKeyPairSync } from 'node:crypto';
import { GENESIS_HASH, auditHash } from '../../persistence/src/audit/audit-chain';
import { AuditCheckpointKeys } from './audit-checkpoint-keys';
import { checkCheckpointExport, type ExportedAuditEvent } from './checkpoint-offline';

function chain(n: number): ExportedAuditEvent[] {
  const events: ExportedAuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = { seq: String(i), at: new Date(Date.UTC(2026, 11, 6, 0, 0, i)), entity: 'change', entityId: `CHG-${i}`, action: 'submitted', actor: 'alice', data: { i } };
    const hash = auditHash(prevHash, content);
    events.push({ ...content, at: content.at.toISOString(), prevHash, hash });
    prevHash = hash;
  }
  return events;
}

describe('checkCheckpointExport (offline)', () => {
  const keys = new AuditCheckpointKeys({ signingKey: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
  const events = chain(5);
  const claim = { headSeq: '4', headHash: events[3].hash, events: '4', at: '2026-12-06T01:00:00.000Z', keyId: keys.keyId! };
  const exported = { format: CHECKPOINT_FORMAT, checkpoint: { id: '2', ...claim }, signature: keys.sign(claim), publicKey: keys.publicKeyView()! };

  it('proves the signature, and the chain up to the head when events are given', () => {
    expect(checkCheckpointExport(exported)).toMatchObject({ ok: true, lines: expect.arrayContaining([expect.stringMatching(/^signature valid: checkpoint #2/)]) });
    const withEvents = checkCheckpointExport(exported, { events });
    expect(withEvents.ok).toBe(true);
    expect(withEvents.lines.at(-1)).toMatch(/from event 1 to 5: intact/);
  });

  it('fails an altered claim', () => {
    const altered = { ...exported, checkpoint: { ...exported.checkpoint, headSeq: '5', events: '5' } };
    expect(checkCheckpointExport(altered)).toMatchObject({ ok: false, lines: expect.arrayContaining([expect.stringMatching(/does not verify/)]) });
  });

  it('fails a chain cut before the head, and a rewritten chain', () => {
    expect(checkCheckpointExport(exported, { events: events.slice(0, 3) }).lines.at(-1)).toMatch(/truncated/);
    const rewritten = chain(5).map((e) => ({ ...e }));
    // An attacker rewrites event 2 and recomputes every later hash: consistent, yet not the signed one.
    let prevHash = rewritten[0].hash;
    for (const event of rewritten.slice(1)) {
      if (event.seq === '2') event.actor = 'mallory';
      event.prevHash = prevHash;
      event.hash = auditHash(prevHash, { ...event, at: new Date(event.at) });
      prevHash = event.hash;
    }
    expect(checkCheckpointExport(exported, { events: rewritten }).lines.at(-1)).toMatch(/rewritten/);
  });

  it('fails against a pinned key that is not the signer', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(checkCheckpointExport(exported, { publicKeyPem: other }).ok).toBe(false);
  });
});
