import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { FINAL_CHANGE_STATES, isFinalChangeState } from '@steward/domain';
import { findConflicts, freezeBlocks } from '@steward/domain/calendar';
import { ChangeFreezeEntity, freezePeriodOf, type ChangeRequestEntity } from '@steward/persistence';
import { DataSource } from 'typeorm';

const HORIZON_MS = 90 * 86_400_000;

export interface ChangeConflictView {
  changeId: string;
  title: string;
  state: string;
  start: string;
  end: string;
  cis: string[];
}

export interface ChangeFreezeView {
  id: string;
  name: string;
  start: string;
  end: string;
  reason: string;
  allowEmergency: boolean;
}

/**
 * What a CAB member weighs beside the change itself: other open changes on the same or
 * dependent CIs in an overlapping interval (scheduled, or requested), and the freezes ahead
 * that cover its CIs. Computed on read, so it is current whenever someone looks.
 */
@Injectable()
export class ChangeContextService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private static interval(change: ChangeRequestEntity): { start: Date; end: Date } | undefined {
    if (change.scheduleStart && change.scheduleEnd) return { start: change.scheduleStart, end: change.scheduleEnd };
    if (change.requestedWindowStart && change.requestedWindowEnd) return { start: change.requestedWindowStart, end: change.requestedWindowEnd };
    return undefined;
  }

  async conflicts(change: ChangeRequestEntity): Promise<ChangeConflictView[]> {
    const interval = ChangeContextService.interval(change);
    if (!interval || isFinalChangeState(change.state)) return [];
    const others = (await this.db.query(
      `SELECT id, title, state, ci_keys, COALESCE(schedule_start, requested_window_start) AS start, COALESCE(schedule_end, requested_window_end) AS "end"
         FROM change_request
        WHERE id <> $1 AND NOT (state = ANY($2))
          AND COALESCE(schedule_start, requested_window_start) < $4 AND COALESCE(schedule_end, requested_window_end) > $3`,
      [change.id, FINAL_CHANGE_STATES, interval.start, interval.end],
    )) as Array<{ id: string; title: string; state: string; ci_keys: string[]; start: Date; end: Date }>;
    if (others.length === 0) return [];
    const keys = [...new Set([...change.ciKeys, ...others.flatMap((o) => o.ci_keys)])];
    const edges = (await this.db.query(`SELECT source_key, target_key FROM ci_relationship WHERE type = 'depends_on' AND source_key = ANY($1) AND target_key = ANY($1)`, [keys])) as Array<{
      source_key: string;
      target_key: string;
    }>;
    const linked = new Set(edges.map((e) => `${e.source_key}\u0000${e.target_key}`));
    const related = (a: string, b: string) => linked.has(`${a}\u0000${b}`) || linked.has(`${b}\u0000${a}`);
    const found = findConflicts([{ id: change.id, cis: change.ciKeys, ...interval }, ...others.map((o) => ({ id: o.id, cis: o.ci_keys, start: new Date(o.start), end: new Date(o.end) }))], related);
    const mine = new Set(found.filter((c) => c.a === change.id || c.b === change.id).map((c) => (c.a === change.id ? c.b : c.a)));
    return others
      .filter((o) => mine.has(o.id))
      .map((o) => ({ changeId: o.id, title: o.title, state: o.state, start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString(), cis: o.ci_keys }));
  }

  async freezes(change: ChangeRequestEntity, now = new Date()): Promise<ChangeFreezeView[]> {
    if (isFinalChangeState(change.state)) return [];
    const until = ChangeContextService.interval(change)?.end ?? new Date(now.getTime() + HORIZON_MS);
    const [cis, freezes] = await Promise.all([
      this.db.query(`SELECT key, tags FROM configuration_item WHERE key = ANY($1)`, [change.ciKeys]) as Promise<Array<{ key: string; tags: string[] }>>,
      this.db.getRepository(ChangeFreezeEntity).createQueryBuilder('f').where('f.end_at > :now AND f.start_at < :until', { now, until }).orderBy('f.start_at', 'ASC').getMany(),
    ]);
    return freezes
      .filter((f) => freezeBlocks(freezePeriodOf(f), cis))
      .map((f) => ({ id: String(f.id), name: f.name, start: f.startAt.toISOString(), end: f.endAt.toISOString(), reason: f.reason, allowEmergency: f.allowEmergency }));
  }
}
