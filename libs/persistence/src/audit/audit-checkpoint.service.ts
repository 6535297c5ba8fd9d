import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError, checkpointDue, judgeCheckpoint, type CheckpointClaim, type CheckpointProblem, type SignatureVerdict } from '@steward/domain';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditCheckpointEntity } from './audit-checkpoint.entity';
import { AUDIT_CHAIN_LOCK, AuditLog, type AuditVerification } from './audit-log.service';

/** The signing side, from libs/security (AuditCheckpointKeys); persistence holds no key. */
export interface CheckpointSigner {
  readonly keyId?: string;
  readonly canSign: boolean;
  sign(claim: CheckpointClaim): string;
  verify(claim: CheckpointClaim, signature: string): SignatureVerdict;
}

export interface CheckpointSummary {
  id: string;
  headSeq: string;
  at: string;
}

export interface AuditVerificationWithCheckpoints extends AuditVerification {
  /** The first checkpoint that disagrees with the chain, named. */
  checkpoint?: CheckpointSummary & { problem: CheckpointProblem['kind'] };
  checkpoints: { checked: number; latest?: CheckpointSummary; problems: CheckpointProblem[] };
}

export function claimOf(row: AuditCheckpointEntity): CheckpointClaim {
  return { headSeq: row.headSeq, headHash: row.headHash, events: row.events, at: row.at.toISOString(), keyId: row.keyId };
}

/**
 * Writes signed checkpoints of the chain's head and checks the chain against them. A checkpoint
 * is taken under the chain's append lock, so its head is a head that existed.
 */
@Injectable()
export class AuditCheckpoints {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Signs the current head. `recordedBy` (a person) also appends an audit event saying so,
   * after the head it signed; the worker's periodic checkpoints append nothing, so an idle
   * chain stays idle.
   */
  async create(signer: CheckpointSigner, createdBy: string, options: { audit?: boolean; now?: Date } = {}): Promise<AuditCheckpointEntity> {
    if (!signer.canSign || !signer.keyId) throw new StewardError('unavailable', 'audit checkpoints are not configured on this server (AUDIT_SIGNING_KEY)');
    return this.db.transaction(async (tx) => {
      const head = await this.lockedHead(tx);
      if (!head) throw new StewardError('conflict', 'the audit chain is empty: there is no head to sign');
      const row = await this.insert(tx, signer, head, createdBy, options.now ?? new Date());
      if (options.audit !== false) {
        await this.audit.append(tx, { entity: 'audit', entityId: `checkpoint-${row.id}`, action: 'checkpoint_created', actor: createdBy, data: { headSeq: row.headSeq, headHash: row.headHash, keyId: row.keyId } });
      }
      return row;
    });
  }

  /** The worker's periodic checkpoint: only when the head moved and enough time or events passed. */
  async createIfDue(signer: CheckpointSigner, every: { everyMs: number; everyEvents: number }, now = new Date()): Promise<AuditCheckpointEntity | undefined> {
    if (!signer.canSign || !signer.keyId) return undefined;
    return this.db.transaction(async (tx) => {
      const head = await this.lockedHead(tx);
      if (!head) return undefined;
      const [last] = (await tx.query('SELECT head_seq, at FROM audit_checkpoint ORDER BY id DESC LIMIT 1')) as Array<{ head_seq: string; at: Date }>;
      const due = checkpointDue({ headSeq: BigInt(head.seq), last: last ? { headSeq: BigInt(last.head_seq), at: new Date(last.at) } : undefined, now, ...every });
      return due ? this.insert(tx, signer, head, 'worker', now) : undefined;
    });
  }

  async latest(): Promise<AuditCheckpointEntity | null> {
    return this.db.getRepository(AuditCheckpointEntity).findOne({ where: {}, order: { id: 'DESC' } });
  }

  async list(limit: number): Promise<AuditCheckpointEntity[]> {
    return this.db.getRepository(AuditCheckpointEntity).find({ order: { id: 'DESC' }, take: limit });
  }

  /** The chain's own verification, then every checkpoint against the chain as it is now. */
  async verify(signer: CheckpointSigner): Promise<AuditVerificationWithCheckpoints> {
    const chain = await this.audit.verify();
    const chainEvents = BigInt(chain.events);
    const problems: CheckpointProblem[] = [];
    let checked = 0;
    let latest: CheckpointSummary | undefined;
    let afterId = '0';
    const signedAt = new Map<string, string>();
    for (;;) {
      const page = await this.db
        .getRepository(AuditCheckpointEntity)
        .createQueryBuilder('c')
        .where('c.id > :afterId', { afterId })
        .orderBy('c.id', 'ASC')
        .take(1000)
        .getMany();
      if (page.length === 0) break;
      const heads = [...new Set(page.map((c) => c.headSeq))];
      const hashes = new Map(
        ((await this.db.query('SELECT seq::text AS seq, hash FROM audit_event WHERE seq = ANY($1::bigint[])', [heads])) as Array<{ seq: string; hash: string }>).map((r) => [r.seq, r.hash]),
      );
      for (const row of page) {
        const claim = claimOf(row);
        const problem = judgeCheckpoint({
          id: row.id,
          claim,
          signature: signer.verify(claim, row.signature),
          chainEvents,
          // Beyond the verified part of the chain a hash proves nothing.
          hashAtHead: BigInt(row.headSeq) <= chainEvents ? hashes.get(row.headSeq) : undefined,
        });
        if (problem) {
          problems.push(problem);
          signedAt.set(row.id, claim.at);
        }
        checked += 1;
        latest = { id: row.id, headSeq: row.headSeq, at: claim.at };
        afterId = row.id;
      }
    }
    const checkpoints = { checked, ...(latest ? { latest } : {}), problems };
    const first = problems[0];
    if (!chain.valid || !first) return { ...chain, checkpoints };
    return {
      valid: false,
      events: chain.events,
      brokenAt: first.kind === 'truncated' ? (chainEvents + 1n).toString() : first.headSeq,
      reason: first.message,
      checkpoint: { id: first.checkpointId, headSeq: first.headSeq, at: signedAt.get(first.checkpointId)!, problem: first.kind },
      checkpoints,
    };
  }

  private async lockedHead(tx: EntityManager): Promise<{ seq: string; hash: string } | undefined> {
    // The append lock: no event can be appended between reading the head and signing it.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const [head] = (await tx.query('SELECT seq::text AS seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1')) as Array<{ seq: string; hash: string }>;
    return head;
  }

  private async insert(tx: EntityManager, signer: CheckpointSigner, head: { seq: string; hash: string }, createdBy: string, now: Date): Promise<AuditCheckpointEntity> {
    const claim: CheckpointClaim = { headSeq: head.seq, headHash: head.hash, events: head.seq, at: new Date(now.getTime()).toISOString(), keyId: signer.keyId! };
    const signature = signer.sign(claim);
    const [row] = (await tx.query(
      `INSERT INTO audit_checkpoint (head_seq, head_hash, events, at, key_id, signature, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text AS id`,
      [claim.headSeq, claim.headHash, claim.events, claim.at, claim.keyId, signature, createdBy.slice(0, 200)],
    )) as Array<{ id: string }>;
    return Object.assign(new AuditCheckpointEntity(), { id: row.id, headSeq: claim.headSeq, headHash: claim.headHash, events: claim.events, at: new Date(claim.at), keyId: claim.keyId, signature, createdBy });
  }
}
