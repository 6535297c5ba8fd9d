import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface ImpactedCi {
  key: string;
  name: string;
  type: string;
  environment: string;
  criticality: number;
  distance: number;
}

export interface ImpactAnalysis {
  impacted: ImpactedCi[];
  /** Users of the CI itself and of every impacted CI, each counted once. */
  usersAffected: number;
  /** True when the walk stopped at maxDepth with more of the graph beyond. */
  truncated: boolean;
}

/**
 * Who is hurt when a CI changes or fails. Impact flows against `depends_on` and `runs_on`
 * (what depends on or runs on X is impacted by X) and along `part_of` (the whole is impacted
 * by its part). One recursive query walks the graph inside PostgreSQL with the relationship
 * indexes; nothing of the graph is loaded into memory. Cycles end because a row is only
 * produced for a (CI, distance) pair not yet produced, and distance is bounded.
 */
@Injectable()
export class ImpactAnalysisService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async analyse(key: string, maxDepth = 20): Promise<ImpactAnalysis> {
    const rows = (await this.db.query(
      `WITH RECURSIVE walk(key, distance) AS (
         SELECT $1::varchar, 0
         UNION
         SELECT next.key, walk.distance + 1
           FROM walk
           CROSS JOIN LATERAL (
             SELECT r.source_key AS key FROM ci_relationship r
              WHERE r.target_key = walk.key AND r.type IN ('depends_on', 'runs_on')
             UNION
             SELECT r.target_key FROM ci_relationship r
              WHERE r.source_key = walk.key AND r.type = 'part_of'
           ) next
          WHERE walk.distance < $2
       ),
       nearest AS (
         SELECT key, min(distance) AS distance FROM walk GROUP BY key
       )
       SELECT ci.key, ci.name, ci.type, ci.environment, ci.criticality, ci.users_affected, n.distance,
              (n.distance = $2) AS at_limit
         FROM nearest n JOIN configuration_item ci ON ci.key = n.key
        ORDER BY n.distance, ci.criticality, ci.key`,
      [key, maxDepth],
    )) as Array<{ key: string; name: string; type: string; environment: string; criticality: number; users_affected: number; distance: number; at_limit: boolean }>;

    let usersAffected = 0;
    let truncated = false;
    const impacted: ImpactedCi[] = [];
    for (const row of rows) {
      usersAffected += Number(row.users_affected);
      if (row.at_limit) truncated = true;
      if (row.key === key) continue;
      impacted.push({ key: row.key, name: row.name, type: row.type, environment: row.environment, criticality: Number(row.criticality), distance: Number(row.distance) });
    }
    return { impacted, usersAffected, truncated };
  }
}
