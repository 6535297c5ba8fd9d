import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CHECKPOINT_FORMAT } from '@steward/domain';
import { DEMO_USERS } from '@steward/identity';
import { AuditLog, auditHash, seedDemoData } from '@steward/persistence';
import { AuditCheckpointKeys, checkCheckpointExport, type ExportedAuditEvent } from '@steward/security';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestDatabase, eventually, startWorker, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startApiWith } from './support/abuse-stack';

const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const checkpointSettings = { signingKey: SIGNING_KEY, trustedPublicKeys: [] as string[] };

interface EventRow {
  seq: string;
  at: Date;
  entity: string;
  entity_id: string;
  action: string;
  actor: string;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/**
 * What an attacker with database rights does: turns the append-only triggers off (as a
 * superuser may), runs their statement, turns them on again.
 */
async function asDatabaseAttacker(database: TestDatabase, sql: (run: (query: string, parameters?: unknown[]) => Promise<unknown>) => Promise<void>): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_event DISABLE TRIGGER USER');
    await tx.query('ALTER TABLE audit_checkpoint DISABLE TRIGGER USER');
    await sql((query, parameters) => tx.query(query, parameters));
    await tx.query('ALTER TABLE audit_event ENABLE TRIGGER USER');
    await tx.query('ALTER TABLE audit_checkpoint ENABLE TRIGGER USER');
  });
}

/** Rewrites one event's actor and recomputes every hash from there on, as the chain's own rule does. */
async function rewriteAndRechain(database: TestDatabase, seq: string, actor: string): Promise<void> {
  await asDatabaseAttacker(database, async (run) => {
    const rows = (await run('SELECT seq::text AS seq, at, entity, entity_id, action, actor, data, prev_hash, hash FROM audit_event ORDER BY seq')) as EventRow[];
    let prevHash = rows[0].prev_hash;
    for (const row of rows) {
      const content = { seq: row.seq, at: new Date(row.at), entity: row.entity, entityId: row.entity_id, action: row.action, actor: row.seq === seq ? actor : row.actor, data: row.data };
      const hash = auditHash(prevHash, content);
      await run('UPDATE audit_event SET actor = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [row.seq, content.actor, prevHash, hash]);
      prevHash = hash;
    }
  });
}

describe('Governance: an attacker with database rights rewrites the audit trail', () => {
  let database: TestDatabase;
  let api: NestExpressApplication;
  let http: App;
  const taskQueue = uniqueTaskQueue('gov-audit');
  const auth = async (part: keyof typeof DEMO_USERS) => ({ Authorization: `Bearer ${await tokenFor(DEMO_USERS[part])}` });

  /** A few audited writes (CI creations), then a checkpoint an auditor signs. */
  async function auditedHistory(prefix: string, count = 4): Promise<{ id: string; headSeq: string }> {
    for (let i = 0; i < count; i++) {
      await request(http)
        .post('/api/cis')
        .set(await auth('admin'))
        .send({ key: `${prefix}-${i}`, name: `${prefix} ${i}`, type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'platform' })
        .expect(201);
    }
    const created = await request(http).post('/api/audit/checkpoints').set(await auth('auditor')).expect(201);
    return created.body as { id: string; headSeq: string };
  }

  const verify = async () => (await request(http).get('/api/audit/verify').set(await auth('auditor')).expect(200)).body;

  beforeEach(async () => {
    database = await createTestDatabase('gov_audit');
    await seedDemoData(database.db);
    api = await startApiWith(database.url, taskQueue, { auditCheckpoints: checkpointSettings });
    http = api.getHttpServer() as App;
  });

  afterEach(async () => {
    await api?.close();
    await database?.drop();
  });

  it('an auditor signs a checkpoint on demand (recorded in the trail); a requester may not; verify checks it', async () => {
    const checkpoint = await auditedHistory('ok');
    expect(checkpoint).toMatchObject({ id: expect.any(String), headSeq: expect.stringMatching(/^\d+$/), signature: expect.any(String), createdBy: 'frank' });
    await request(http).post('/api/audit/checkpoints').set(await auth('requester')).expect(403);
    const trail = (await request(http).get('/api/audit?entity=audit').set(await auth('auditor')).expect(200)).body;
    expect(trail).toEqual([expect.objectContaining({ action: 'checkpoint_created', actor: 'frank', entityId: `checkpoint-${checkpoint.id}` })]);
    expect(await verify()).toMatchObject({ valid: true, checkpoints: { checked: 1, latest: { id: checkpoint.id, headSeq: checkpoint.headSeq }, problems: [] } });
  });

  it('a rewritten event with the whole chain recomputed: the chain alone looks valid, the signed checkpoint names the rewrite', async () => {
    const checkpoint = await auditedHistory('rw');
    await rewriteAndRechain(database, '2', 'mallory');
    // The attack works against the hash chain alone...
    expect(await new AuditLog(database.db).verify()).toMatchObject({ valid: true });
    // ...not against the checkpoint, whose key the database never held.
    const result = await verify();
    expect(result).toMatchObject({
      valid: false,
      brokenAt: checkpoint.headSeq,
      checkpoint: { id: checkpoint.id, headSeq: checkpoint.headSeq, problem: 'rewritten' },
      reason: expect.stringMatching(new RegExp(`^checkpoint #${checkpoint.id} .*rewritten`)),
    });
  });

  it('the tail deleted (truncation): verify names the checkpoint the chain no longer reaches', async () => {
    const checkpoint = await auditedHistory('tr');
    const keep = BigInt(checkpoint.headSeq) - 2n;
    await asDatabaseAttacker(database, async (run) => {
      await run('DELETE FROM audit_event WHERE seq > $1', [keep.toString()]);
    });
    expect(await new AuditLog(database.db).verify()).toMatchObject({ valid: true, events: Number(keep) });
    const result = await verify();
    expect(result).toMatchObject({ valid: false, events: Number(keep), checkpoint: { id: checkpoint.id, problem: 'truncated' }, reason: expect.stringMatching(/truncated|removed/) });
    expect(result.reason).toMatch(new RegExp(`checkpoint #${checkpoint.id}`));
  });

  it('a fake checkpoint inserted with SQL: a bad signature under the real key id is forged; one signed with the attacker’s own key is untrusted', async () => {
    await auditedHistory('fk');
    const [head] = (await database.db.query('SELECT seq::text AS seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1')) as Array<{ seq: string; hash: string }>;
    const realKeyId = new AuditCheckpointKeys(checkpointSettings).keyId!;
    const attacker = new AuditCheckpointKeys({ signingKey: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
    const at = new Date().toISOString();
    const ownClaim = { headSeq: head.seq, headHash: head.hash, events: head.seq, at, keyId: attacker.keyId! };
    await asDatabaseAttacker(database, async (run) => {
      const insert = 'INSERT INTO audit_checkpoint (head_seq, head_hash, events, at, key_id, signature, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)';
      await run(insert, [head.seq, head.hash, head.seq, at, realKeyId, Buffer.alloc(64, 7).toString('base64'), 'frank']);
      await run(insert, [head.seq, head.hash, head.seq, at, attacker.keyId, attacker.sign(ownClaim), 'frank']);
    });
    const result = await verify();
    expect(result.valid).toBe(false);
    expect(result.checkpoint).toMatchObject({ problem: 'forged' });
    expect(result.checkpoints.problems.map((p: { kind: string }) => p.kind)).toEqual(['forged', 'unknown_key']);
    expect(result.reason).toMatch(/signature does not verify/);
  });

  it('the latest checkpoint exports with its signature and public key and checks offline against the exported events; a rewrite fails offline too', async () => {
    await auditedHistory('ex');
    const exported = (await request(http).get('/api/audit/checkpoints/latest').set(await auth('auditor')).expect(200)).body;
    const publicKey = (await request(http).get('/api/audit/checkpoints/public-key').set(await auth('auditor')).expect(200)).body;
    expect(exported).toMatchObject({ format: CHECKPOINT_FORMAT, signature: expect.any(String), publicKey: { keyId: publicKey.keyId, algorithm: 'Ed25519' } });
    expect(exported.checkpoint.keyId).toBe(publicKey.keyId);
    const events = (await request(http).get('/api/audit?limit=1000').set(await auth('auditor')).expect(200)).body as ExportedAuditEvent[];

    const offline = checkCheckpointExport(exported, { events, publicKeyPem: publicKey.pem });
    expect(offline).toMatchObject({ ok: true });
    expect(offline.lines.join('\n')).toMatch(/signature valid: checkpoint #\d+ .*intact/s);

    await rewriteAndRechain(database, '1', 'mallory');
    const rewritten = (await request(http).get('/api/audit?limit=1000').set(await auth('auditor')).expect(200)).body as ExportedAuditEvent[];
    expect(checkCheckpointExport(exported, { events: rewritten }).lines.at(-1)).toMatch(/FAILED: .*rewritten/);
  });

  it('the worker signs checkpoints by itself once the head moves and the interval passes', async () => {
    let worker: INestApplicationContext | undefined;
    try {
      worker = await startWorker(database.url, taskQueue, { auditCheckpoints: { ...checkpointSettings, everyMs: 300, everyEvents: 0 } });
      await request(http)
        .post('/api/cis')
        .set(await auth('admin'))
        .send({ key: 'periodic-1', name: 'periodic', type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'platform' })
        .expect(201);
      const [head] = (await database.db.query('SELECT max(seq)::text AS seq FROM audit_event')) as Array<{ seq: string }>;
      const rows = await eventually(
        () => database.db.query(`SELECT id::text AS id, head_seq::text AS head_seq, created_by FROM audit_checkpoint WHERE created_by = 'worker' ORDER BY id`) as Promise<Array<{ id: string; head_seq: string }>>,
        (r) => r.some((c) => c.head_seq === head.seq),
      );
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(await verify()).toMatchObject({ valid: true, checkpoints: { problems: [] } });
    } finally {
      await worker?.close();
    }
  });

  it('refuses an UPDATE or DELETE of a checkpoint in the database itself', async () => {
    const checkpoint = await auditedHistory('ro', 1);
    await expect(database.db.query(`UPDATE audit_checkpoint SET head_seq = 1 WHERE id = $1`, [checkpoint.id])).rejects.toThrow(/append-only/);
    await expect(database.db.query(`DELETE FROM audit_checkpoint WHERE id = $1`, [checkpoint.id])).rejects.toThrow(/append-only/);
  });
});
