import { checkpointDue, checkpointStatement, judgeCheckpoint, type CheckpointClaim } from './checkpoint';

const claim: CheckpointClaim = { headSeq: '10', headHash: 'a'.repeat(64), events: '10', at: '2026-12-06T02:00:00.000Z', keyId: 'k1' };

describe('checkpointStatement', () => {
  it('covers every field, in a fixed order, with the format name', () => {
    expect(checkpointStatement(claim)).toBe(
      `{"at":"2026-12-06T02:00:00.000Z","events":"10","format":"steward-audit-checkpoint/v1","headHash":"${'a'.repeat(64)}","headSeq":"10","keyId":"k1"}`,
    );
    expect(checkpointStatement({ ...claim, headSeq: '11' })).not.toBe(checkpointStatement(claim));
  });
});

describe('judgeCheckpoint', () => {
  const evidence = { id: '3', claim, signature: 'valid' as const, chainEvents: 12n, hashAtHead: 'a'.repeat(64) };

  it('accepts a chain that still reaches the head with the signed hash', () => {
    expect(judgeCheckpoint(evidence)).toBeUndefined();
  });

  it('names a forged checkpoint before anything else', () => {
    expect(judgeCheckpoint({ ...evidence, signature: 'invalid', chainEvents: 0n })).toMatchObject({ kind: 'forged', checkpointId: '3', message: expect.stringMatching(/^checkpoint #3 .*does not verify/) });
  });

  it('refuses a key it does not trust', () => {
    expect(judgeCheckpoint({ ...evidence, signature: 'unknown_key' })?.kind).toBe('unknown_key');
  });

  it('detects truncation: the chain ends before the head', () => {
    expect(judgeCheckpoint({ ...evidence, chainEvents: 9n, hashAtHead: undefined })).toMatchObject({ kind: 'truncated', message: expect.stringContaining('ends at event 9') });
  });

  it('detects a rewrite: another hash at the head', () => {
    expect(judgeCheckpoint({ ...evidence, hashAtHead: 'b'.repeat(64) })?.kind).toBe('rewritten');
  });

  it('refuses a signed claim whose count disagrees with its head', () => {
    expect(judgeCheckpoint({ ...evidence, claim: { ...claim, events: '9' } })?.kind).toBe('inconsistent');
  });
});

describe('checkpointDue', () => {
  const now = new Date('2026-12-06T02:10:00Z');
  it('never for an empty chain, always for the first event', () => {
    expect(checkpointDue({ headSeq: 0n, now, everyMs: 1, everyEvents: 1 })).toBe(false);
    expect(checkpointDue({ headSeq: 1n, now, everyMs: 600_000, everyEvents: 0 })).toBe(true);
  });
  it('not when the head has not moved, however long ago', () => {
    expect(checkpointDue({ headSeq: 5n, last: { headSeq: 5n, at: new Date(0) }, now, everyMs: 1, everyEvents: 1 })).toBe(false);
  });
  it('after the interval, or after enough events', () => {
    const last = { headSeq: 5n, at: new Date('2026-12-06T02:05:00Z') };
    expect(checkpointDue({ headSeq: 6n, last, now, everyMs: 600_000, everyEvents: 100 })).toBe(false);
    expect(checkpointDue({ headSeq: 6n, last, now, everyMs: 300_000, everyEvents: 100 })).toBe(true);
    expect(checkpointDue({ headSeq: 105n, last, now, everyMs: 600_000, everyEvents: 100 })).toBe(true);
    expect(checkpointDue({ headSeq: 105n, last, now, everyMs: 600_000, everyEvents: 0 })).toBe(false);
  });
});
