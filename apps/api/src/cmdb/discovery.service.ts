import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CiUpdate } from '@steward/contracts';
import { StewardError, canonicalJson, classifyDrift, type AuthorizedCiUpdate, type Drift, type RecordedCi } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { AuditLog, DiscoveryFindingEntity, insertRows, type AuditEntry } from '@steward/persistence';
import { IncidentLauncher } from '@steward/temporal';
import { DataSource, type EntityManager } from 'typeorm';
import { invalidFields } from '../common/validation';
import { CmdbSettings } from './cmdb-settings';
import type { DiscoverySnapshotDto } from './dtos/ci.dtos';

export interface ReconciliationResult {
  runId: string;
  matched: number;
  drifted: Drift[];
  unauthorized: Array<Drift & { findingId: string }>;
  /**
   * The incident of each unauthorized finding on a CI the CMDB knows (a CI it does not know has
   * no service to open an incident on; that finding stands alone). `error` when it could not be
   * opened now: the snapshot is reconciled all the same, and the next one retries.
   */
  incidents: FindingIncident[];
}

export interface FindingIncident {
  findingId: string;
  ci: string;
  id: string | null;
  created: boolean;
  error?: string;
}

type RecordedRow = { key: string; version: string | null; status: string; attributes: Record<string, unknown> };

/**
 * Reconciles a discovery snapshot against the CMDB (principle 5). Drift a completed change
 * promised is applied to the CMDB; any other drift, and any CI the CMDB does not know, is an
 * unauthorized change: stored as a finding, audited and returned. The whole snapshot is one
 * transaction of a handful of set-based queries, whatever its size.
 */
@Injectable()
export class DiscoveryService {
  private readonly logger = new Logger(DiscoveryService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly settings: CmdbSettings,
    private readonly incidents: IncidentLauncher,
  ) {}

  async reconcile(caller: Principal, snapshot: DiscoverySnapshotDto): Promise<ReconciliationResult> {
    if (!caller.roles.includes('admin') && !caller.roles.includes('change_manager')) {
      throw new StewardError('forbidden', 'discovery snapshots require the role admin or change_manager');
    }
    const seen = new Map<string, number>();
    const duplicates = snapshot.items.flatMap((item, index) => {
      const first = seen.get(item.key);
      seen.set(item.key, first ?? index);
      return first === undefined ? [] : [{ field: `items.${index}.key`, message: `${item.key} is already reported at items.${first}` }];
    });
    if (duplicates.length > 0) throw invalidFields(duplicates);

    const now = new Date();
    const keys = snapshot.items.map((item) => item.key);
    const reconciled = await this.db.transaction(async (tx) => {
      const recorded = new Map(
        ((await tx.query(`SELECT key, version, status, attributes FROM configuration_item WHERE key = ANY($1) FOR UPDATE`, [keys])) as RecordedRow[]).map((r) => [r.key, r]),
      );
      const promises = await this.authorizedUpdates(tx, keys, new Date(now.getTime() - this.settings.discoveryExplainDays * 86_400_000));
      const openFindings = new Set(
        ((await tx.query(`SELECT ci_key, field, discovered FROM discovery_finding WHERE state = 'open' AND ci_key = ANY($1)`, [keys])) as Array<{ ci_key: string; field: string; discovered: unknown }>).map(
          (f) => `${f.ci_key}\u0000${f.field}\u0000${canonicalJson(f.discovered ?? null)}`,
        ),
      );

      let matched = 0;
      const drifted: Drift[] = [];
      const unexplained: Drift[] = [];
      const applied = new Map<string, RecordedRow>();
      for (const item of snapshot.items) {
        const record = recorded.get(item.key);
        if (!record) {
          unexplained.push({ key: item.key, field: 'ci', recorded: null, discovered: { version: item.version ?? null, ...(item.status ? { status: item.status } : {}) } });
          continue;
        }
        const drifts = classifyDrift(record as RecordedCi, item, promises.get(item.key) ?? []);
        if (drifts.length === 0) matched += 1;
        for (const drift of drifts) {
          drifted.push(drift);
          if (!drift.explainedBy) {
            unexplained.push(drift);
            continue;
          }
          const next = applied.get(item.key) ?? { ...record, attributes: { ...record.attributes } };
          if (drift.field === 'version') next.version = drift.discovered as string | null;
          else if (drift.field === 'status') next.status = drift.discovered as string;
          else next.attributes[drift.field.slice('attributes.'.length)] = drift.discovered;
          applied.set(item.key, next);
        }
      }

      const [run] = (await tx.query(
        `INSERT INTO discovery_run (source, at, items, matched, drifted, unauthorized) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [snapshot.source, now, snapshot.items.length, matched, drifted.length, unexplained.length],
      )) as Array<{ id: string }>;

      // Repeats of a finding that is still open are reported again, but stored and audited once.
      const fresh = unexplained.filter((d) => !openFindings.has(`${d.key}\u0000${d.field}\u0000${canonicalJson(d.discovered ?? null)}`));
      await insertRows(
        tx,
        DiscoveryFindingEntity,
        fresh.map((d) =>
          Object.assign(new DiscoveryFindingEntity(), { runId: run.id, ciKey: d.key, field: d.field, recorded: d.recorded, discovered: d.discovered, source: snapshot.source, detectedAt: now, state: 'open' }),
        ),
      );
      const findingIds = new Map(
        ((await tx.query(`SELECT DISTINCT ON (ci_key, field) id, ci_key, field FROM discovery_finding WHERE state = 'open' AND ci_key = ANY($1) ORDER BY ci_key, field, id DESC`, [
          unexplained.map((d) => d.key),
        ])) as Array<{ id: string; ci_key: string; field: string }>).map((f) => [`${f.ci_key}\u0000${f.field}`, f.id]),
      );

      if (applied.size > 0) {
        await tx.query(
          `UPDATE configuration_item AS ci SET version = v.version, status = v.status, attributes = v.attributes, updated_at = now()
             FROM jsonb_to_recordset($1::jsonb) AS v(key text, version text, status text, attributes jsonb)
            WHERE ci.key = v.key`,
          [JSON.stringify([...applied.values()])],
        );
      }
      await tx.query(`UPDATE configuration_item SET last_discovered_at = $2 WHERE key = ANY($1)`, [[...recorded.keys()], now]);

      const entries: AuditEntry[] = [
        ...drifted
          .filter((d) => d.explainedBy)
          .map((d) => ({ entity: 'ci', entityId: d.key, action: 'ci.updated_by_discovery', actor: `discovery:${snapshot.source}`, at: now, data: { ...d } })),
        ...fresh.map((d) => ({ entity: 'ci', entityId: d.key, action: 'discovery.unauthorized_change', actor: `discovery:${snapshot.source}`, at: now, data: { ...d } })),
        {
          entity: 'discovery',
          entityId: run.id,
          action: 'discovery.reconciled',
          actor: caller.id,
          at: now,
          data: { source: snapshot.source, items: snapshot.items.length, matched, drifted: drifted.length, unauthorized: unexplained.length },
        },
      ];
      await this.audit.append(tx, entries);

      return {
        runId: run.id,
        matched,
        drifted,
        unauthorized: unexplained.map((d) => ({ ...d, findingId: findingIds.get(`${d.key}\u0000${d.field}`) ?? '' })),
      };
    });
    // After the commit: the findings stand whether or not the workflow engine answers now.
    return { ...reconciled, incidents: await this.openIncidents(snapshot.source, reconciled.unauthorized) };
  }

  /**
   * One incident per unauthorized finding on a known CI (`field: 'ci'` is a CI the CMDB does not
   * know). Every finding still open is considered, not only new ones, so a finding whose incident
   * could not be opened before gets it on the next snapshot; one that has had an incident, even
   * a closed one, does not get another.
   */
  private async openIncidents(source: string, findings: Array<Drift & { findingId: string }>): Promise<FindingIncident[]> {
    const onKnownCis = findings.filter((f) => f.field !== 'ci' && f.findingId !== '');
    if (onKnownCis.length === 0) return [];
    const existing = new Map(
      ((await this.db.query(`SELECT DISTINCT ON (finding_id) finding_id, id FROM incident WHERE finding_id = ANY($1::bigint[]) ORDER BY finding_id, opened_at DESC`, [
        onKnownCis.map((f) => f.findingId),
      ])) as Array<{ finding_id: string; id: string }>).map((row) => [String(row.finding_id), row.id]),
    );
    const outcomes: FindingIncident[] = [];
    for (const finding of onKnownCis) {
      const known = existing.get(finding.findingId);
      if (known) {
        outcomes.push({ findingId: finding.findingId, ci: finding.key, id: known, created: false });
        continue;
      }
      try {
        const opened = await this.incidents.open({
          title: `Unauthorized change on ${finding.key}: ${finding.field}`.slice(0, 200),
          description: `Discovery (${source}) saw ${finding.field} = ${JSON.stringify(finding.discovered ?? null)} where the CMDB records ${JSON.stringify(finding.recorded ?? null)}, and no authorized change explains it (finding ${finding.findingId}).`,
          service: finding.key,
          impact: 2,
          urgency: 2,
          reportedBy: `discovery:${source}`,
          source: 'unauthorized_change',
          findingId: finding.findingId,
          alertFingerprint: `finding:${finding.findingId}`,
        });
        outcomes.push({ findingId: finding.findingId, ci: finding.key, id: opened.id, created: opened.created });
      } catch (error) {
        this.logger.warn({ err: error, findingId: finding.findingId }, 'no incident opened for an unauthorized-change finding');
        outcomes.push({ findingId: finding.findingId, ci: finding.key, id: null, created: false, error: (error as Error).message });
      }
    }
    return outcomes;
  }

  /** What completed changes promised for these CIs, newest first, within the explain period. */
  private async authorizedUpdates(tx: EntityManager, keys: string[], since: Date): Promise<Map<string, AuthorizedCiUpdate[]>> {
    const rows = (await tx.query(
      `SELECT id, completed_at, plan->'ciUpdates' AS ci_updates FROM change_request
        WHERE state = 'completed' AND completed_at >= $2 AND ci_keys && $1::text[] AND plan ? 'ciUpdates'`,
      [keys, since],
    )) as Array<{ id: string; completed_at: Date; ci_updates: CiUpdate[] | null }>;
    const byCi = new Map<string, AuthorizedCiUpdate[]>();
    for (const row of rows) {
      for (const update of row.ci_updates ?? []) {
        const list = byCi.get(update.ci) ?? [];
        list.push({ changeId: row.id, completedAt: new Date(row.completed_at), version: update.version, status: update.status, attributes: update.attributes });
        byCi.set(update.ci, list);
      }
    }
    return byCi;
  }
}
