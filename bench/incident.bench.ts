import 'reflect-metadata';
import { DEFAULT_INCIDENT_PROCESS, IncidentProcessOptions } from '@steward/config';
import { escalationPlan, type EscalationPolicy } from '@steward/domain';
import { IncidentOpeningService, stewardDataSourceOptions } from '@steward/persistence';
import { IncidentLauncher, TemporalSettings, WorkflowLauncher } from '@steward/temporal';
import { cpus, loadavg } from 'node:os';
import { DataSource } from 'typeorm';
import { benchClient, inPool, pollUntil, summarise, type BenchEnvironment } from './support';
import { clockTicks, cpuSeconds, machineBusySeconds, parentOf, pidsWhere, rssMiB, spawnBenchWorker, temporalServerPid } from './worker-process';

/**
 * Many incidents open at once, each escalating on its own timers: how late do the escalations
 * fire, and what does the worker hold in memory meanwhile.
 *
 * Sizes and times come from the environment, so a small machine can run a smaller or longer
 * bench: BENCH_INCIDENTS (incidents, default 5000), BENCH_INCIDENTS_ACK_S (each level's
 * acknowledgement timeout, default 300: 5 minutes, as on-call policies set it),
 * BENCH_INCIDENTS_SPREAD_S (openings spread evenly over this many seconds, default twice the
 * timeout: the load ramps from openings alone to openings and escalations to two steps' worth of
 * escalations, with all incidents open and waiting from then on), BENCH_INCIDENTS_BUDGET_S (how
 * long the bench watches, from the first opening, default 900; it stops earlier once every step
 * of every plan is recorded). The lateness by minute shows where the load outgrew the machine.
 */
const INCIDENTS = Number(process.env.BENCH_INCIDENTS) || 5_000;
const ACK_MS = (Number(process.env.BENCH_INCIDENTS_ACK_S) || 300) * 1000;
const SPREAD_MS = (Number(process.env.BENCH_INCIDENTS_SPREAD_S) || (2 * ACK_MS) / 1000) * 1000;
const BUDGET_MS = (Number(process.env.BENCH_INCIDENTS_BUDGET_S) || 900) * 1000;

const QUEUE = 'bench-incidents';
const LEVELS = 3;
const REPEAT = 1;
const OPEN_CONCURRENCY = 16;
const SAMPLE_MS = 1_000;

const benchStart = performance.now();
const progress = (message: string) => process.stderr.write(`[incidents +${Math.round((performance.now() - benchStart) / 1000)}s] ${message}\n`);
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

interface EscalationRow {
  incident_id: string;
  opened_ms: number;
  at_ms: number;
  level: number;
  round: number;
  committed_ms: number | null;
}

type Summary = ReturnType<typeof summarise>;

export async function benchIncidents(env: BenchEnvironment): Promise<Record<string, unknown>> {
  const runTag = Date.now().toString(36);
  // Per run, so that every count sees only this run's incidents even on a database used before.
  const service = `bench-incidents-${runTag}`;
  const policy: EscalationPolicy = {
    id: `bench-incidents-${runTag}`,
    version: 1,
    levels: Array.from({ length: LEVELS }, (_, i) => ({ targets: [`group:bench-level-${i + 1}`], ackTimeoutMs: ACK_MS })),
    repeat: REPEAT,
  };
  const steps = escalationPlan(policy, new Date(0)).length;
  // A P3 (impact 2, urgency 2 on a criticality-3 service): not major, so the incidents run the
  // escalation and both SLA clocks (4 h response in business hours: they never breach here).
  await env.db.query(
    `INSERT INTO configuration_item (key, name, type, environment, criticality, owner_group, users_affected, version) VALUES ($1, $1, 'service', 'production', 3, 'team-a', 10, '1.0')`,
    [service],
  );
  await env.db.query(`INSERT INTO escalation_policy (policy_id, version, name, service_key, levels, repeat, created_by) VALUES ($1, 1, 'Bench policy', $2, $3, $4, 'bench')`, [
    policy.id,
    service,
    JSON.stringify(policy.levels),
    policy.repeat,
  ]);

  const { client, connection } = await benchClient(env.temporalAddress);
  // The launcher's own pool: the environment's 4 connections would pace the openings.
  const openingDb = await new DataSource(stewardDataSourceOptions({ url: env.postgresUrl, applicationName: 'steward-bench-open', poolSize: OPEN_CONCURRENCY })).initialize();
  const launcher = new IncidentLauncher(
    openingDb,
    new IncidentOpeningService(openingDb),
    new WorkflowLauncher(client, new TemporalSettings(env.temporalAddress, 'default', QUEUE)),
    client,
    Object.assign(new IncidentProcessOptions(), DEFAULT_INCIDENT_PROCESS),
  );

  // The worker as it is deployed: its own process, so that its RSS is its own.
  const worker = spawnBenchWorker(env, QUEUE);
  const { pid, cache, alive } = worker;

  const opened: string[] = [];
  try {
    await pollUntil(
      `the worker process polling ${QUEUE}`,
      async () => {
        alive();
        const answer = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: QUEUE }, taskQueueType: 1 });
        return answer.pollers?.length ?? 0;
      },
      (n) => n > 0,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await sleep(3_000);
    const idleMiB = rssMiB(pid);
    progress(`worker process ${pid} polling ${QUEUE}, RSS ${idleMiB} MiB; opening ${INCIDENTS} incidents over ${SPREAD_MS / 1000} s, ${steps} escalation steps ${ACK_MS / 1000} s apart`);

    const ticks = clockTicks();
    const port = env.temporalAddress.split(':').pop() ?? '';
    const serverPid = temporalServerPid(port);
    // Our cluster only (other clusters may run on the machine): its postmaster and its children.
    const pgPort = new URL(env.postgresUrl).port;
    const [postmaster] = pidsWhere((args) => /(^|\/)postgres$/.test(args[0] ?? '') && args.join(' ').includes(`-p ${pgPort}`));
    const postgresPids = () => (postmaster ? [postmaster, ...pidsWhere(() => true).filter((p) => parentOf(p) === postmaster)] : []);
    const postgresCpu = () => postgresPids().reduce((sum, p) => sum + (() => { try { return cpuSeconds(p, ticks); } catch { return 0; } })(), 0);
    const load0 = loadavg();
    const cpu0 = { worker: cpuSeconds(pid, ticks), server: serverPid ? cpuSeconds(serverPid, ticks) : NaN, postgres: postgresCpu(), bench: process.cpuUsage(), machine: machineBusySeconds(ticks) };

    // ─── Watching: RSS, the audit chain lock, escalations recorded ─────────────────────────
    const target = INCIDENTS * steps;
    const rss: Array<{ s: number; rss: number }> = [];
    const sessions = { samples: 0, auditWaiting: 0, active: 0, withWaiter: 0, maxWaiting: 0, held: 0, holderIdleInTransaction: 0 };
    let escalated = 0;
    let watching = true;
    let lastReport = 0;
    const t0 = performance.now();
    const wallStart = Date.now();
    const countEscalated = async () => {
      const [{ n }] = (await env.db.query(
        `SELECT count(*)::int AS n FROM incident_event e JOIN incident i ON i.id = e.incident_id WHERE i.service_key = $1 AND e.type = 'escalated'`,
        [service],
      )) as Array<{ n: number }>;
      return n;
    };
    const watch = (async () => {
      while (watching) {
        alive();
        const now = rssMiB(pid);
        rss.push({ s: round((performance.now() - t0) / 1000), rss: now });
        // The worker's sessions only: waiting on the advisory lock is waiting on the audit chain.
        // The holder 'idle in transaction' holds the chain while its process (the worker) runs other work.
        const [row] = (await env.db.query(
          `SELECT count(*) FILTER (WHERE a.wait_event_type = 'Lock' AND a.wait_event = 'advisory')::int AS waiting,
                  count(*) FILTER (WHERE a.state = 'active')::int AS active,
                  (SELECT h.state FROM pg_locks l JOIN pg_stat_activity h ON h.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted LIMIT 1) AS holder
             FROM pg_stat_activity a WHERE a.datname = current_database() AND a.application_name = 'steward-worker'`,
        )) as Array<{ waiting: number; active: number; holder: string | null }>;
        sessions.samples += 1;
        if (row.holder) sessions.held += 1;
        if (row.holder === 'idle in transaction') sessions.holderIdleInTransaction += 1;
        sessions.auditWaiting += row.waiting;
        sessions.active += row.active;
        sessions.maxWaiting = Math.max(sessions.maxWaiting, row.waiting);
        if (row.waiting > 0) sessions.withWaiter += 1;
        escalated = await countEscalated();
        if (performance.now() - lastReport > 20_000) {
          lastReport = performance.now();
          progress(`${opened.length} opened, ${escalated}/${target} escalations recorded, worker RSS ${now} MiB, ${row.active} worker sessions active (${row.waiting} on the audit lock)`);
        }
        await sleep(SAMPLE_MS);
      }
    })();

    // ─── Opening, evenly paced ─────────────────────────────────────────────────────────────
    const openMs: number[] = [];
    let behindMs = 0;
    const fill = inPool(
      Array.from({ length: INCIDENTS }, (_, i) => i),
      OPEN_CONCURRENCY,
      async (i) => {
        const slot = t0 + (i * SPREAD_MS) / INCIDENTS;
        const wait = slot - performance.now();
        if (wait > 0) await sleep(wait);
        else behindMs = Math.max(behindMs, -wait);
        const started = performance.now();
        const incident = await launcher.open({
          title: `Bench incident ${i}`,
          description: 'opened by the incident benchmark; nobody acknowledges it',
          service,
          category: null,
          impact: 2,
          urgency: 2,
          reportedBy: 'bench',
          source: 'api',
        });
        openMs.push(performance.now() - started);
        opened.push(incident.workflowId);
      },
    );
    await Promise.race([fill, watch]);
    await fill;
    const fillMs = performance.now() - t0;
    const fillEndWall = Date.now();
    alive();
    const allOpenMiB = rssMiB(pid);
    progress(`${opened.length} incidents opened in ${Math.round(fillMs)} ms (at most ${Math.round(behindMs)} ms behind the pace), worker RSS ${allOpenMiB} MiB`);

    // Every step of every plan, or the budget.
    const deadline = t0 + BUDGET_MS;
    while (escalated < target && performance.now() < deadline) await sleep(1_000);
    const measuredMs = performance.now() - t0;
    const endWall = Date.now();
    watching = false;
    await watch;
    const cpu = {
      workerProcess: round(cpuSeconds(pid, ticks) - cpu0.worker),
      temporalServer: serverPid ? round(cpuSeconds(serverPid, ticks) - cpu0.server) : null,
      postgres: round(postgresCpu() - cpu0.postgres),
      benchProcess: round((process.cpuUsage(cpu0.bench).user + process.cpuUsage(cpu0.bench).system) / 1e6),
      machineBusy: round(machineBusySeconds(ticks) - cpu0.machine),
      machineCapacity: round((cpus().length * measuredMs) / 1000),
      otherProcesses: 0,
    };
    // Whatever else ran on the machine meanwhile (other test runs): it competed for the same cores.
    cpu.otherProcesses = round(cpu.machineBusy - cpu.workerProcess - (cpu.temporalServer ?? 0) - cpu.postgres - cpu.benchProcess);
    const load = { atStart: load0.map((l) => round(l, 2)), atEnd: loadavg().map((l) => round(l, 2)) };
    const endMiB = rssMiB(pid);
    const peakMiB = Math.max(...rss.map((r) => r.rss));
    progress(`${escalated}/${target} escalations recorded after ${Math.round(measuredMs)} ms; worker RSS ${endMiB} MiB (peak ${peakMiB})`);

    // ─── Lateness ─────────────────────────────────────────────────────────────────────────
    const rows = (await env.db.query(
      `SELECT e.incident_id, extract(epoch FROM i.opened_at) * 1000 AS opened_ms, extract(epoch FROM e.at) * 1000 AS at_ms,
              (e.data->>'level')::int AS level, (e.data->>'round')::int AS round,
              ${env.commitTimestamps ? 'extract(epoch FROM pg_xact_commit_timestamp(e.xmin)) * 1000' : 'NULL'} AS committed_ms
         FROM incident_event e JOIN incident i ON i.id = e.incident_id
        WHERE i.service_key = $1 AND e.type = 'escalated'`,
      [service],
    )) as Array<Record<keyof EscalationRow, string | number | null>>;
    const escalations: EscalationRow[] = rows.map((r) => ({
      incident_id: String(r.incident_id),
      opened_ms: Number(r.opened_ms),
      at_ms: Number(r.at_ms),
      level: Number(r.level),
      round: Number(r.round),
      committed_ms: r.committed_ms === null ? null : Number(r.committed_ms),
    }));
    const offsets = escalationPlan(policy, new Date(0)).map((s) => s.notifyAt.getTime());
    const planned = (r: EscalationRow) => r.opened_ms + offsets[(r.round - 1) * LEVELS + (r.level - 1)];
    // The first step is due the moment the incident opens: no timer, it measures the opening.
    const first = escalations.filter((r) => r.level === 1 && r.round === 1);
    const timed = escalations.filter((r) => !(r.level === 1 && r.round === 1));
    const lateness = (list: EscalationRow[]) => summarise(list.map((r) => r.at_ms - planned(r)));
    const committedLateness = (list: EscalationRow[]) => (env.commitTimestamps ? summarise(list.map((r) => r.committed_ms! - planned(r))) : null);
    const whileOpening = timed.filter((r) => planned(r) < fillEndWall);
    const afterOpening = timed.filter((r) => planned(r) >= fillEndWall);
    const byMinute = new Map<number, EscalationRow[]>();
    for (const r of timed) {
      const minute = Math.floor((planned(r) - wallStart) / 60_000);
      const list = byMinute.get(minute) ?? [];
      list.push(r);
      byMinute.set(minute, list);
    }
    // Steps due before the end but not recorded: left out of the percentiles, so counted here.
    const recordedKeys = new Set(escalations.map((r) => `${r.incident_id}:${r.round}:${r.level}`));
    const openedRows = (await env.db.query(`SELECT id, extract(epoch FROM opened_at) * 1000 AS opened_ms FROM incident WHERE service_key = $1`, [service])) as Array<{ id: string; opened_ms: string }>;
    const overdue: number[] = [];
    const plan = escalationPlan(policy, new Date(0));
    for (const incident of openedRows) {
      plan.forEach((step, k) => {
        const due = Number(incident.opened_ms) + offsets[k];
        if (due < endWall && !recordedKeys.has(`${incident.id}:${step.round}:${step.level}`)) overdue.push(endWall - due);
      });
    }
    const [{ exhausted }] = (await env.db.query(
      `SELECT count(*)::int AS exhausted FROM incident_event e JOIN incident i ON i.id = e.incident_id WHERE i.service_key = $1 AND e.type = 'escalation_exhausted'`,
      [service],
    )) as Array<{ exhausted: number }>;

    // ─── Clean up: every incident ended, then the worker's memory once it holds none ─────────
    const c0 = performance.now();
    await inPool(opened, 32, (workflowId) => client.workflow.getHandle(workflowId).terminate('bench done').catch(() => undefined));
    const terminateMs = performance.now() - c0;
    await sleep(5_000);
    alive();
    const afterEndMiB = rssMiB(pid);
    progress(`${opened.length} incident workflows terminated in ${Math.round(terminateMs)} ms, worker RSS ${afterEndMiB} MiB`);

    const audit = {
      measures: `the worker's PostgreSQL sessions, sampled every ${SAMPLE_MS} ms while measuring: how many were active, and how many of those were waiting for the audit chain's advisory lock`,
      samples: sessions.samples,
      meanActiveSessions: round(sessions.active / Math.max(1, sessions.samples), 2),
      meanWaitingForAuditLock: round(sessions.auditWaiting / Math.max(1, sessions.samples), 2),
      maxWaitingForAuditLock: sessions.maxWaiting,
      samplesWithAWaiter: round(sessions.withWaiter / Math.max(1, sessions.samples), 3),
      samplesWithTheLockHeld: round(sessions.held / Math.max(1, sessions.samples), 3),
      holderIdleInTransaction: {
        measures: "of the samples with the lock held, the share whose holder was 'idle in transaction': PostgreSQL done, the lock waiting for the worker's next statement",
        share: round(sessions.holderIdleInTransaction / Math.max(1, sessions.held), 3),
      },
    };
    const auditShare = sessions.active > 0 ? sessions.auditWaiting / sessions.active : 0;
    const timerLateness = lateness(timed);
    const recordedLateness = committedLateness(timed);
    const result = {
      setup: {
        incidents: INCIDENTS,
        opened: opened.length,
        policy: { levels: LEVELS, repeat: REPEAT, ackTimeoutMs: ACK_MS, stepsPerIncident: steps, timedStepsPerIncident: steps - 1 },
        priority: 'P3 (not major): escalation and both SLA clocks run; no SLA target falls due during the bench',
        openingsSpreadOverMs: SPREAD_MS,
        openConcurrency: OPEN_CONCURRENCY,
        budgetMs: BUDGET_MS,
        opener: 'IncidentLauncher.open in the bench process (the row, then the workflow start), on task queue bench-incidents',
        worker: 'a separate process: node dist/apps/worker/src/main.js on task queue bench-incidents',
        commitTimestamps: env.commitTimestamps,
      },
      escalations: {
        target,
        recorded: escalations.length,
        complete: escalations.length >= target,
        ...(escalations.length < target ? { stoppedBy: 'the time budget (BENCH_INCIDENTS_BUDGET_S)' } : {}),
        dueButNotRecordedAtEnd: { n: overdue.length, ...(overdue.length > 0 ? { overdueMs: summarise(overdue) } : {}) },
        exhaustedRecorded: exhausted,
      },
      timerLatenessMs: {
        measures:
          "escalation steps 2..n (each due when the previous level's ackTimeoutMs runs out): the `escalated` event's `at` minus the step's planned notifyAt (incident opened_at + the timeouts before it). `at` is workflow time in the task that handled the fired timer, so this is Temporal's timer delay plus the wait for a worker to pick the task up; it does not include replay on a cache miss nor the recording activity",
        all: timerLateness,
        dueWhileOpening: lateness(whileOpening),
        dueAfterAllOpen: lateness(afterOpening),
        byMinuteOfPlannedTime: [...byMinute.entries()].sort(([a], [b]) => a - b).map(([minute, list]) => ({ minute, ...pick(lateness(list)) })),
      },
      recordedLatenessMs: {
        measures:
          "the same steps: commit time of the `escalated` row in incident_event (pg_xact_commit_timestamp, track_commit_timestamp on) minus the planned notifyAt. End to end: timer, worker pickup and replay, the recording activity's queue wait, its transaction including the audit chain lock, commit",
        all: recordedLatenessMs(recordedLateness),
        dueWhileOpening: committedLateness(whileOpening),
        dueAfterAllOpen: committedLateness(afterOpening),
        recordingMs: env.commitTimestamps ? summarise(timed.map((r) => r.committed_ms! - r.at_ms)) : null,
      },
      firstPageMs: {
        measures: "step 1 (level 1, round 1, due at opening): the `escalated` event's `at` minus opened_at, i.e. the workflow's start and its `opened` record, not a timer",
        ...lateness(first),
      },
      workerRssMiB: {
        measures: 'VmRSS of the worker process; idle before the first incident, when all were open, the peak sampled every second, at the end of the measurement, and 5 s after every incident workflow was terminated',
        idle: idleMiB,
        [`allOpen${opened.length}`]: allOpenMiB,
        peak: peakMiB,
        atEnd: endMiB,
        afterTerminatingAll: afterEndMiB,
        kibPerOpenIncident: round(((peakMiB - idleMiB) * 1024) / Math.max(1, opened.length)),
        stickyCache: { maxCachedWorkflows: cache.maxCachedWorkflows, heapSizeLimitMiB: cache.heapSizeLimitMiB },
      },
      fill: {
        openedIn: Math.round(fillMs),
        perSecond: round(opened.length / (fillMs / 1000)),
        pacedAtPerSecond: round(INCIDENTS / (SPREAD_MS / 1000)),
        maxBehindPaceMs: Math.round(behindMs),
        openMs: summarise(openMs),
      },
      auditChain: {
        ...audit,
        // Dominates: most of the time someone queues for it, and the queue is most of the database work.
        verdict: `${auditShare >= 0.5 && audit.samplesWithAWaiter >= 0.5 ? 'the audit chain lock dominates' : 'the audit chain lock does not dominate'}: sessions queued for it in ${round(audit.samplesWithAWaiter * 100)}% of the samples, and were ${round(auditShare * 100)}% of the worker's active sessions`,
      },
      cpuSeconds: cpu,
      loadAverage: load,
      durationsMs: { measured: Math.round(measuredMs), terminate: Math.round(terminateMs) },
    };
    printTable(result, timerLateness, recordedLateness, lateness(first));
    return result;
  } finally {
    await worker.stop();
    await openingDb.destroy();
    await connection.close();
  }
}

function pick(s: Summary): { n: number; p50: number; p99: number; max: number } {
  return { n: s.n, p50: s.p50, p99: s.p99, max: s.max };
}

function recordedLatenessMs(s: Summary | null): Summary | { unavailable: string } {
  return s ?? { unavailable: 'the database does not track commit timestamps (DATABASE_URL given): only the workflow-side lateness is measured' };
}

/** The figures people ask for, as a table on stderr (stdout stays the JSON). */
function printTable(result: Record<string, any>, timer: Summary, recorded: Summary | null, first: Summary): void {
  const row = (label: string, s: Summary | null) =>
    s ? `  ${label.padEnd(36)}${String(s.n).padStart(7)}${String(s.p50).padStart(10)}${String(s.p99).padStart(10)}${String(s.max).padStart(10)}` : `  ${label.padEnd(36)}  (not measured)`;
  const rss = result.workerRssMiB;
  const lines = [
    '',
    `Incident escalation timers: ${result.setup.opened} incidents, ${LEVELS} levels x ${REPEAT + 1} rounds, ackTimeout ${ACK_MS / 1000} s`,
    `  ${''.padEnd(36)}${'n'.padStart(7)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'max ms'.padStart(10)}`,
    row('timer lateness (workflow time)', timer),
    row('recorded lateness (row committed)', recorded),
    row('first page after opening', first),
    `  escalations recorded ${result.escalations.recorded}/${result.escalations.target}; due but not recorded at the end: ${result.escalations.dueButNotRecordedAtEnd.n}`,
    `  worker RSS MiB: idle ${rss.idle}, all open ${Object.entries(rss).find(([k]) => k.startsWith('allOpen'))?.[1]}, peak ${rss.peak}, end ${rss.atEnd}, after terminating all ${rss.afterTerminatingAll}`,
    `  opened ${result.setup.opened} in ${Math.round(result.fill.openedIn / 1000)} s (${result.fill.perSecond}/s, paced at ${result.fill.pacedAtPerSecond}/s)`,
    `  audit chain: ${result.auditChain.meanWaitingForAuditLock} of ${result.auditChain.meanActiveSessions} active worker sessions waiting on average (max ${result.auditChain.maxWaitingForAuditLock}); ${result.auditChain.verdict}`,
    `  CPU s: worker ${result.cpuSeconds.workerProcess}, Temporal ${result.cpuSeconds.temporalServer}, PostgreSQL ${result.cpuSeconds.postgres}, other processes ${result.cpuSeconds.otherProcesses}; machine ${result.cpuSeconds.machineBusy} of ${result.cpuSeconds.machineCapacity}; load ${result.loadAverage.atStart.join(' ')} -> ${result.loadAverage.atEnd.join(' ')}`,
    '',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}
