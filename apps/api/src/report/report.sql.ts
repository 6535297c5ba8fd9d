/*
 * The report queries. Each report is one statement: PostgreSQL groups and aggregates, Node
 * only shapes the rows. Incident figures come from incident_event alone (append-only), never
 * from the incident row, whose fields activities keep rewriting. The rules are those of
 * incidentFigures in libs/domain/src/report, which the integration tests hold these to.
 *
 * Parameters: $1 from, $2 to (the period [from, to) on the opened / submitted event), then for
 * incidents $3 service and $4 final priority, each null for "any".
 */

/** One row per incident opened in the period: service, final priority, first times, clock outcomes. */
const INCIDENTS = `
-- Inlined, not materialized: the planner then knows how many incidents the period holds and
-- joins their events by hash rather than probing the index once per incident.
WITH opened AS NOT MATERIALIZED (
  SELECT o.incident_id,
         o.at AS opened_at,
         o.data->>'service' AS service,
         o.data->>'priority' AS opened_priority,
         coalesce((o.data->>'major')::boolean, false) AS opened_major,
         jsonb_typeof(o.data->'responseTargetMs') = 'number' AS response_has_target,
         jsonb_typeof(o.data->'resolutionTargetMs') = 'number' AS resolution_has_target
    FROM incident_event o
   WHERE o.type = 'opened' AND o.at >= $1 AND o.at < $2
     AND ($3::text IS NULL OR o.data->>'service' = $3::text)
),
facts AS (
  -- Grouped by incident alone (a narrow key), over the event types the figures use.
  SELECT e.incident_id,
         (array_agg(e.data->>'to' ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.type = 'reclassified'))[1] AS reclassified_to,
         coalesce(bool_or(e.data->>'to' IN ('P1', 'P2')) FILTER (WHERE e.type = 'reclassified'), false) AS reclassified_major,
         min(e.at) FILTER (WHERE e.type = 'acknowledged') AS acknowledged_at,
         min(e.at) FILTER (WHERE e.type = 'resolved') AS resolved_at,
         bool_or(e.type = 'closed') AS closed,
         count(*) FILTER (WHERE e.type = 'escalated') AS escalations,
         count(*) FILTER (WHERE e.type = 'stakeholder_update_missed') AS missed_updates,
         array_agg((e.data->>'target') || '@' || (e.data->>'priority')) FILTER (WHERE e.type = 'sla_breached') AS breaches,
         -- The last stop's verdict per clock; a stop without one counts as in time.
         (array_agg(coalesce(e.data->>'breached', 'false') ORDER BY e.at DESC, e.id DESC)
            FILTER (WHERE e.type = 'sla_stopped' AND e.data->>'target' = 'response'))[1] AS response_stop,
         (array_agg(coalesce(e.data->>'breached', 'false') ORDER BY e.at DESC, e.id DESC)
            FILTER (WHERE e.type = 'sla_stopped' AND e.data->>'target' = 'resolution'))[1] AS resolution_stop
    FROM incident_event e
   WHERE e.incident_id IN (SELECT incident_id FROM opened)
     AND e.type IN ('reclassified', 'acknowledged', 'resolved', 'closed', 'escalated', 'stakeholder_update_missed', 'sla_breached', 'sla_stopped')
   GROUP BY e.incident_id
),
incidents AS (
  SELECT o.service,
         p.priority,
         o.opened_major OR coalesce(f.reclassified_major, false) AS major,
         f.acknowledged_at IS NOT NULL AS acknowledged,
         f.resolved_at IS NOT NULL AS resolved,
         coalesce(f.closed, false) AS closed,
         coalesce(f.escalations, 0) AS escalations,
         coalesce(f.missed_updates, 0) AS missed_updates,
         extract(epoch FROM f.acknowledged_at - o.opened_at)::float8 * 1000 AS ack_ms,
         extract(epoch FROM f.resolved_at - o.opened_at)::float8 * 1000 AS resolve_ms,
         CASE WHEN ('response@' || p.priority) = ANY (f.breaches) OR f.response_stop = 'true' THEN 'breached'
              WHEN f.response_stop IS NOT NULL THEN 'met'
              WHEN p.priority = 'P5' OR (NOT coalesce(o.response_has_target, false) AND f.reclassified_to IS NULL) THEN 'no_target'
              ELSE 'running' END AS response,
         CASE WHEN ('resolution@' || p.priority) = ANY (f.breaches) OR f.resolution_stop = 'true' THEN 'breached'
              WHEN f.resolution_stop IS NOT NULL THEN 'met'
              WHEN p.priority = 'P5' OR (NOT coalesce(o.resolution_has_target, false) AND f.reclassified_to IS NULL) THEN 'no_target'
              ELSE 'running' END AS resolution
    FROM opened o
    LEFT JOIN facts f ON f.incident_id = o.incident_id
   CROSS JOIN LATERAL (SELECT coalesce(f.reclassified_to, o.opened_priority) AS priority) p
   WHERE $4::text IS NULL OR p.priority = $4::text
)`;

/** Rows by service and final priority, then (level 1) the totals row, from GROUPING SETS. */
export const INCIDENT_REPORT_SQL = `${INCIDENTS}
SELECT i.service, i.priority, GROUPING(i.service, i.priority) > 0 AS total,
       count(*)::int AS opened,
       count(*) FILTER (WHERE i.acknowledged)::int AS acknowledged,
       count(*) FILTER (WHERE i.resolved)::int AS resolved,
       count(*) FILTER (WHERE i.closed)::int AS closed,
       count(*) FILTER (WHERE i.major)::int AS major,
       coalesce(sum(i.missed_updates), 0)::int AS missed_updates,
       coalesce(sum(i.escalations), 0)::int AS escalations,
       count(*) FILTER (WHERE i.response = 'breached')::int AS response_breaches,
       count(*) FILTER (WHERE i.resolution = 'breached')::int AS resolution_breaches,
       count(i.ack_ms)::int AS mtta_samples,
       avg(i.ack_ms) AS mtta_mean,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY i.ack_ms) AS mtta_p90,
       count(i.resolve_ms)::int AS mttr_samples,
       avg(i.resolve_ms) AS mttr_mean,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY i.resolve_ms) AS mttr_p90
  FROM incidents i
 GROUP BY GROUPING SETS ((i.service, i.priority), ())
 ORDER BY total, i.service, i.priority`;

export const SLA_REPORT_SQL = `${INCIDENTS}
SELECT i.service, i.priority, GROUPING(i.service, i.priority) > 0 AS total,
       count(*)::int AS incidents,
       count(*) FILTER (WHERE i.response = 'met')::int AS response_met,
       count(*) FILTER (WHERE i.response = 'breached')::int AS response_breached,
       count(*) FILTER (WHERE i.response = 'running')::int AS response_running,
       count(*) FILTER (WHERE i.response = 'no_target')::int AS response_no_target,
       count(*) FILTER (WHERE i.resolution = 'met')::int AS resolution_met,
       count(*) FILTER (WHERE i.resolution = 'breached')::int AS resolution_breached,
       count(*) FILTER (WHERE i.resolution = 'running')::int AS resolution_running,
       count(*) FILTER (WHERE i.resolution = 'no_target')::int AS resolution_no_target
  FROM incidents i
 GROUP BY GROUPING SETS ((i.service, i.priority), ())
 ORDER BY total, i.service, i.priority`;

/**
 * Changes submitted in the period, by type (from the submitted event), with how they ended
 * (the last final state_changed event, else the change_failure record) and the approval lead
 * time (submitted to the first transition to scheduled). Unauthorized changes are the findings
 * of discovery runs in the period; they belong to no change type and ride on every row.
 */
export const CHANGE_REPORT_SQL = `
WITH submitted AS (
  SELECT s.change_id, s.at AS submitted_at, s.data->>'type' AS type
    FROM change_event s
   WHERE s.type = 'submitted' AND s.at >= $1 AND s.at < $2
),
facts AS (
  SELECT s.change_id, s.type, s.submitted_at,
         min(e.at) FILTER (WHERE e.data->>'to' = 'scheduled') AS scheduled_at,
         (array_agg(e.data->>'to' ORDER BY e.at DESC, e.id DESC)
            FILTER (WHERE e.data->>'to' IN ('completed', 'rolled_back', 'failed', 'rejected', 'cancelled')))[1] AS ended
    FROM submitted s
    LEFT JOIN change_event e ON e.change_id = s.change_id AND e.type = 'state_changed'
   GROUP BY s.change_id, s.type, s.submitted_at
),
changes AS (
  SELECT f.type,
         coalesce(f.ended, cf.end_state) AS ended,
         coalesce(cf.production, false) AS failed_in_production,
         extract(epoch FROM f.scheduled_at - f.submitted_at)::float8 * 1000 AS lead_ms
    FROM facts f
    LEFT JOIN change_failure cf ON cf.change_id = f.change_id
)
SELECT c.type, GROUPING(c.type) > 0 AS total,
       count(*)::int AS submitted,
       count(*) FILTER (WHERE c.ended = 'completed')::int AS completed,
       count(*) FILTER (WHERE c.ended = 'rolled_back')::int AS rolled_back,
       count(*) FILTER (WHERE c.ended = 'failed')::int AS failed,
       count(*) FILTER (WHERE c.ended = 'rejected')::int AS rejected,
       count(*) FILTER (WHERE c.ended = 'cancelled')::int AS cancelled,
       count(*) FILTER (WHERE c.ended IS NULL)::int AS open,
       count(*) FILTER (WHERE c.failed_in_production)::int AS failed_in_production,
       count(c.lead_ms)::int AS lead_samples,
       avg(c.lead_ms) AS lead_mean,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY c.lead_ms) AS lead_p90,
       (SELECT coalesce(sum(d.unauthorized), 0)::int FROM discovery_run d WHERE d.at >= $1 AND d.at < $2) AS unauthorized
  FROM changes c
 GROUP BY GROUPING SETS ((c.type), ())
 ORDER BY total, c.type`;

/** The change register: every change submitted in [$1, $2), oldest first, at most $3 rows. */
export const CHANGE_REGISTER_SQL = `
SELECT c.id, c.title, c.type, c.state, c.risk->>'level' AS risk_level, c.requester_id,
       s.at AS submitted_at, c.completed_at, c.closure_code
  FROM change_event s
  JOIN change_request c ON c.id = s.change_id
 WHERE s.type = 'submitted' AND s.at >= $1 AND s.at < $2
 ORDER BY s.at, c.id
 LIMIT $3`;
