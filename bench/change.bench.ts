import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { changeWorkflowDefinition, changeWorkflowId, type ChangeProcessSettings, type ChangeState, type ChangeWorkflowInput, type PlanStep, type WorkflowOf } from '@steward/contracts';
import { formatChangeId } from '@steward/domain';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import type { Principal } from '@steward/identity';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { cpus } from 'node:os';
import { WorkerModule } from '../apps/worker/src/worker.module';
import * as baselineActivities from './baseline/baseline.activities';
import { baselineDecideUpdate, baselineStateQuery, type BaselineState } from './baseline/baseline.messages';
import type { baselineWorkflow } from './baseline/baseline.workflow';
import { BENCH_DECISION_KEYS, BENCH_PAYLOAD_CODEC_KEYS, BENCH_WORKER_SECRET, benchClient, inPool, summarise, type BenchEnvironment } from './support';
import { clockTicks, cpuSeconds, machineBusySeconds, rssMiB, spawnBenchWorker, temporalServerPid } from './worker-process';

/** The API in support.ts starts change workflows on this task queue. */
const CHANGE_QUEUE = 'bench';
const BASELINE_QUEUE = 'bench-baseline';
const RSS_QUEUE = 'bench-rss';

const WARM_UP = 10;
const SAMPLES = 100;
const POLL_MS = 5;
const RSS_SMALL = 100;
const RSS_LARGE = 10_000;
const START_CONCURRENCY = 50;
/** At most this many changes between their start and awaiting_approval: fewer than the worker's sticky cache holds. */
const FEED_WINDOW = 500;
/**
 * No change is started later than this after the change bench began, so that the whole run
 * (`node dist/bench/run.js changes`) ends within about 10 minutes on a 2-core machine. When
 * the budget ends first, the figures are for the changes that got there. BENCH_CHANGES_FEED_BUDGET_S
 * sets another budget (seconds), e.g. 1200 to reach 10,000 on a small machine.
 */
const FEED_BUDGET_MS = (Number(process.env.BENCH_CHANGES_FEED_BUDGET_S) || 480) * 1000;

/** A staging, criticality-4 CI owned by team-a: policy normal-low, one approval from team-a. */
const LATENCY_CI = 'bench-app-low';
/** The RSS changes are spread over this many CIs of the same kind, as real changes would be. */
const RSS_CI_PREFIX = 'bench-rss-app-';
const RSS_CIS = 100;

const requester: Principal = { id: 'bench-requester', name: 'Bench Requester', roles: ['requester'], groups: ['team-a'] };
const owner: Principal = { id: 'bench-owner', name: 'Bench Owner', roles: ['cab_member'], groups: ['team-a'] };

/** States a change reaches once its quorum is complete (authorized and beyond). */
const AFTER_APPROVAL: ReadonlySet<ChangeState> = new Set(['scheduled', 'implementing', 'verifying', 'rolling_back', 'completed', 'rolled_back', 'failed']);
const FINAL: ReadonlySet<ChangeState> = new Set(['completed', 'rolled_back', 'rejected', 'cancelled', 'failed']);

/** Waiting for approval for weeks: no reminder, escalation or expiry fires during the bench. */
const LONG_CHANGE_PROCESS: ChangeProcessSettings = {
  approvalReminderMs: 30 * 86_400_000,
  approvalEscalationMs: 60 * 86_400_000,
  approvalExpiryMs: 90 * 86_400_000,
  windowClosePolicy: 'rollback',
  reviewDueMs: 5 * 86_400_000,
};

const step = (id: string): PlanStep => ({
  id,
  name: `step ${id}`,
  kind: 'automated',
  action: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  estimatedMinutes: 5,
});

const benchStart = performance.now();
/** Progress on stderr, so that stdout stays the JSON result. */
const progress = (message: string) => process.stderr.write(`[changes +${Math.round((performance.now() - benchStart) / 1000)}s] ${message}\n`);

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Polls `probe` every `intervalMs` until `accept` holds; returns the value and the moment it was
 * seen. Bounded by `timeoutMs`; `fail` stops early on a value that can never become acceptable.
 */
async function pollUntil<T>(
  label: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number; fail?: (value: T) => boolean },
): Promise<{ value: T; at: number }> {
  const deadline = performance.now() + options.timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    const at = performance.now();
    if (accept(last)) return { value: last, at };
    if (options.fail?.(last)) throw new Error(`${label}: unexpected ${JSON.stringify(last)}`);
    if (at > deadline) throw new Error(`${label}: not reached within ${options.timeoutMs} ms; last ${JSON.stringify(last)}`);
    await sleep(options.intervalMs ?? POLL_MS);
  }
}

function ratios(steward: { p50: number; p95: number }, bare: { p50: number; p95: number }): { p50: number; p95: number } {
  return { p50: round(steward.p50 / bare.p50, 2), p95: round(steward.p95 / bare.p95, 2) };
}

async function seedCis(env: BenchEnvironment): Promise<void> {
  await env.db.query(
    `INSERT INTO configuration_item (key, name, type, environment, criticality, owner_group, users_affected, version)
     SELECT k, k, 'application', 'staging', 4, 'team-a', 0, '1.0' FROM unnest($1::text[]) AS x(k)
     ON CONFLICT DO NOTHING`,
    [[LATENCY_CI, ...Array.from({ length: RSS_CIS }, (_, i) => `${RSS_CI_PREFIX}${i}`)]],
  );
}

/** Parts 1 and 2: Steward over HTTP against the bare SDK on the same server, interleaved. */
async function benchLatency(env: BenchEnvironment, client: Client, runTag: string): Promise<Record<string, unknown>> {
  const headersOf = async (p: Principal) => ({ Authorization: `Bearer ${await env.token(p)}`, 'Content-Type': 'application/json' });
  const asRequester = await headersOf(requester);
  const asOwner = await headersOf(owner);

  // A window weeks away: an approved change stays `scheduled` instead of implementing during the bench.
  const windowStart = new Date(Math.ceil((Date.now() + 30 * 86_400_000) / 3_600_000) * 3_600_000);
  const submitBody = JSON.stringify({
    title: 'Bench change',
    description: 'submitted by the change benchmark',
    type: 'normal',
    cis: [LATENCY_CI],
    justification: 'benchmark',
    plan: { steps: [step('deploy')] },
    backoutPlan: 'Redeploy the previous release from the artifact store, then verify health.',
    testEvidence: 'staging run green',
    requestedWindow: { start: windowStart.toISOString(), end: new Date(windowStart.getTime() + 3_600_000).toISOString() },
  });
  const stateOf = async (id: string): Promise<ChangeState> => {
    const response = await fetch(`${env.baseUrl}/api/changes/${id}`, { headers: asRequester });
    const body = (await response.json()) as { state: ChangeState };
    if (!response.ok) throw new Error(`GET ${id}: ${response.status} ${JSON.stringify(body)}`);
    return body.state;
  };

  // In-process: the real worker module (activities on the bench database) and the baseline worker.
  let worker: INestApplicationContext | undefined;
  let baselineConnection: NativeConnection | undefined;
  let baselineWorker: Worker | undefined;
  let baselineRunning: Promise<void> | undefined;
  const baselineHandles: WorkflowHandle[] = [];
  const changeIdsStarted: string[] = [];
  try {
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot({
        databaseUrl: env.postgresUrl,
        temporal: { address: env.temporalAddress, namespace: 'default', taskQueue: CHANGE_QUEUE },
        decisionVerifyKey: BENCH_DECISION_KEYS.verifyKey,
        workerSecret: BENCH_WORKER_SECRET,
        payloadCodecKeys: BENCH_PAYLOAD_CODEC_KEYS,
        executorAllowedTargets: [],
        logLevel: 'silent',
      }),
      { logger: false },
    );
    // Bundled once, from the compiled bench file: never part of the production bundle.
    const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./baseline/baseline.workflow'), logger: new DefaultLogger('WARN') });
    baselineConnection = await NativeConnection.connect({ address: env.temporalAddress });
    baselineWorker = await Worker.create({
      connection: baselineConnection,
      namespace: 'default',
      taskQueue: BASELINE_QUEUE,
      workflowBundle: bundle,
      activities: baselineActivities,
    });
    baselineRunning = baselineWorker.run();
    progress('in-process change worker and baseline worker running');

    const total = WARM_UP + SAMPLES;

    // 1. submit -> awaiting_approval
    const submitChange = async (): Promise<{ id: string; ms: number }> => {
      const t0 = performance.now();
      const response = await fetch(`${env.baseUrl}/api/changes`, { method: 'POST', headers: asRequester, body: submitBody });
      const created = (await response.json()) as { id: string };
      if (response.status !== 201) throw new Error(`POST /api/changes: ${response.status} ${JSON.stringify(created)}`);
      changeIdsStarted.push(created.id);
      const seen = await pollUntil(`change ${created.id} to awaiting_approval`, () => stateOf(created.id), (s) => s === 'awaiting_approval', {
        timeoutMs: 30_000,
        fail: (s) => FINAL.has(s) || AFTER_APPROVAL.has(s),
      });
      return { id: created.id, ms: seen.at - t0 };
    };
    const queryBaseline = (handle: WorkflowHandle) => handle.query(baselineStateQuery).catch(() => undefined as BaselineState | undefined);
    const startBaseline = async (i: number): Promise<{ handle: WorkflowHandle; ms: number }> => {
      const t0 = performance.now();
      const handle = await client.workflow.start<typeof baselineWorkflow>('baselineWorkflow', {
        workflowId: `bench-baseline-${runTag}-${i}`,
        taskQueue: BASELINE_QUEUE,
        args: [],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      baselineHandles.push(handle);
      const seen = await pollUntil(`baseline ${i} to awaiting_approval`, () => queryBaseline(handle), (s) => s === 'awaiting_approval', { timeoutMs: 30_000 });
      return { handle, ms: seen.at - t0 };
    };

    const changeIds: string[] = [];
    const baselines: WorkflowHandle[] = [];
    const submitMs: number[] = [];
    const startMs: number[] = [];
    for (let i = 0; i < total; i += 1) {
      const change = await submitChange();
      const baseline = await startBaseline(i);
      changeIds.push(change.id);
      baselines.push(baseline.handle);
      if (i >= WARM_UP) {
        submitMs.push(change.ms);
        startMs.push(baseline.ms);
      }
    }
    progress(`submitted ${total} changes and started ${total} baselines`);
    const first = (await (await fetch(`${env.baseUrl}/api/changes/${changeIds[0]}`, { headers: asRequester })).json()) as { policy: { id: string } | null; risk: { level: string } };

    // 2. decision -> visible state
    const decisionResponseMs: number[] = [];
    const decisionVisibleMs: number[] = [];
    const updateResponseMs: number[] = [];
    const updateVisibleMs: number[] = [];
    const reached = new Map<ChangeState, number>();
    for (let i = 0; i < total; i += 1) {
      const id = changeIds[i];
      // A decision names the plan hash it approves: read before the clock starts, as a voter's screen would.
      const { planHash } = (await (await fetch(`${env.baseUrl}/api/changes/${id}`, { headers: asOwner })).json()) as { planHash: string };
      const t0 = performance.now();
      const response = await fetch(`${env.baseUrl}/api/changes/${id}/decisions`, { method: 'POST', headers: asOwner, body: JSON.stringify({ decision: 'approve', comment: 'bench approval', planHash }) });
      const answered = performance.now();
      const body = (await response.json()) as { rules?: Array<{ satisfied: boolean }> };
      if (response.status !== 200) throw new Error(`POST decisions ${id}: ${response.status} ${JSON.stringify(body)}`);
      const seen = await pollUntil(`change ${id} after approval`, () => stateOf(id), (s) => AFTER_APPROVAL.has(s), { timeoutMs: 30_000, fail: (s) => FINAL.has(s) && !AFTER_APPROVAL.has(s) });
      reached.set(seen.value, (reached.get(seen.value) ?? 0) + 1);

      const handle = baselines[i];
      const u0 = performance.now();
      await handle.executeUpdate(baselineDecideUpdate, { args: ['approve'] });
      const uAnswered = performance.now();
      const uSeen = await pollUntil(`baseline ${i} to scheduled`, () => queryBaseline(handle), (s) => s === 'scheduled', { timeoutMs: 30_000 });
      if (i >= WARM_UP) {
        decisionResponseMs.push(answered - t0);
        decisionVisibleMs.push(seen.at - t0);
        updateResponseMs.push(uAnswered - u0);
        updateVisibleMs.push(uSeen.at - u0);
      }
    }

    progress(`decided ${total} changes and updated ${total} baselines`);
    const submit = { steward: summarise(submitMs), bareSdk: summarise(startMs) };
    const response = { steward: summarise(decisionResponseMs), bareSdk: summarise(updateResponseMs) };
    const visible = { steward: summarise(decisionVisibleMs), bareSdk: summarise(updateVisibleMs) };
    return {
      setup: { warmUp: WARM_UP, samples: SAMPLES, pollMs: POLL_MS, ci: LATENCY_CI, policy: first.policy?.id ?? null, risk: first.risk.level, requestedWindowStart: windowStart.toISOString(), stateSeenAfterApproval: Object.fromEntries(reached) },
      submitToAwaitingApprovalMs: {
        measures: 'Steward: POST /api/changes until GET /api/changes/{id} shows awaiting_approval. Bare SDK: client.workflow.start until a query shows awaiting_approval (2 trivial activities)',
        ...submit,
        ratio: ratios(submit.steward, submit.bareSdk),
      },
      decisionMs: {
        measures:
          'Steward: POST /api/changes/{id}/decisions (completes the quorum) until its response, and until GET shows scheduled or beyond. Bare SDK: executeUpdate (handler runs 1 trivial activity) until it returns, and until a query shows scheduled (1 more trivial activity)',
        response: { ...response, ratio: ratios(response.steward, response.bareSdk) },
        visible: { ...visible, ratio: ratios(visible.steward, visible.bareSdk) },
      },
    };
  } finally {
    // A dev server started by the bench environment goes with it; on an external one, end what we started.
    if (process.env.TEMPORAL_ADDRESS) {
      await inPool(changeIdsStarted, 10, (id) =>
        fetch(`${env.baseUrl}/api/changes/${id}/cancel`, { method: 'POST', headers: asRequester, body: JSON.stringify({ reason: 'bench done' }) }).catch(() => undefined),
      );
    }
    await inPool(baselineHandles, 20, (h) => h.terminate('bench done').catch(() => undefined));
    if (baselineWorker?.getState() === 'RUNNING') baselineWorker.shutdown();
    await baselineRunning?.catch(() => undefined);
    await baselineConnection?.close();
    await worker?.close();
  }
}

/** Part 3: the worker's resident memory with 100 and 10,000 changes awaiting approval. */
async function benchWorkerRss(env: BenchEnvironment, client: Client, runTag: string, feedUntil: number): Promise<Record<string, unknown>> {
  // Per run, so that the counts see only this run's changes even on a database used before.
  const rssRequester = { id: `bench-rss-${runTag}`, name: 'Bench RSS Requester' };
  const worker = spawnBenchWorker(env, RSS_QUEUE);
  const { pid, cache, alive } = worker;
  const plan = { steps: [step('deploy')] };
  const backoutPlan = 'Redeploy the previous release from the artifact store, then verify health.';
  const planHash = computePlanHash(plan, backoutPlan);

  const started: string[] = [];

  // What the database shows, the worker's RSS (peak, and at milestones on the way), progress.
  let peak = 0;
  let lastReport = 0;
  const milestones = [1_000, cache.maxCachedWorkflows, 5_000, 7_500, RSS_LARGE].sort((a, b) => a - b);
  const onTheWay: Record<string, number> = {};
  const observe = async (): Promise<Record<string, number>> => {
    alive();
    const rss = rssMiB(pid);
    peak = Math.max(peak, rss);
    const rows = (await env.db.query(`SELECT state, count(*)::int AS n FROM change_request WHERE requester_id = $1 GROUP BY state`, [rssRequester.id])) as Array<{
      state: string;
      n: number;
    }>;
    const states = Object.fromEntries(rows.map((r) => [r.state, r.n])) as Record<string, number>;
    for (const m of milestones) if ((states.awaiting_approval ?? 0) >= m && onTheWay[m] === undefined) onTheWay[m] = rss;
    if (performance.now() - lastReport > 20_000) {
      lastReport = performance.now();
      progress(`worker process: ${JSON.stringify(states)}, RSS ${rss} MiB`);
    }
    return states;
  };
  const awaiting = (target: number, timeoutMs: number) =>
    pollUntil(`${target} changes awaiting approval`, observe, (states) => (states.awaiting_approval ?? 0) >= target, { timeoutMs, intervalMs: 500 }).catch(async (error: unknown) => {
      const sessions = await env.db
        .query(`SELECT application_name, state, wait_event_type, wait_event, left(query, 100) AS query FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle'`)
        .catch((e: unknown) => String(e));
      throw new Error(`${(error as Error).message}; database sessions: ${JSON.stringify(sessions)}; the worker process said: ${worker.output().slice(-3_000)}`);
    });

  /**
   * Rows as ChangeService.submit writes them (its audit entry left out), then their workflows,
   * started directly: at most START_CONCURRENCY starts and FEED_WINDOW unfinished changes at a
   * time, and none after `until`. Rows whose workflow was never started are removed again.
   */
  const createChanges = async (count: number, until: number): Promise<{ started: number; insertMs: number; startMs: number }> => {
    const t0 = performance.now();
    const numbers = ((await env.db.query(`SELECT nextval('change_request_number_seq')::int AS n FROM generate_series(1, $1)`, [count])) as Array<{ n: number }>).map((r) => r.n);
    const ids = numbers.map(formatChangeId);
    const ciOf = (i: number) => `${RSS_CI_PREFIX}${i % RSS_CIS}`;
    for (let i = 0; i < ids.length; i += 2_000) {
      const chunk = ids.slice(i, i + 2_000);
      await env.db.query(
        `INSERT INTO change_request (id, number, title, description, type, template_id, justification, ci_keys, plan, plan_hash, backout_plan, test_evidence,
                                     requested_window_start, requested_window_end, state, requester_id, requester_name, workflow_id)
         SELECT id, n, 'Bench RSS change', 'waits for approval', 'normal', NULL, 'benchmark', ARRAY[ci], $4::jsonb, $5, $6, 'staging run green',
                NULL, NULL, 'submitted', $7, $8, 'change-' || id
           FROM unnest($1::text[], $2::int[], $3::text[]) AS x(id, n, ci)`,
        [chunk, numbers.slice(i, i + 2_000), chunk.map((_, j) => ciOf(i + j)), JSON.stringify(plan), planHash, backoutPlan, rssRequester.id, rssRequester.name],
      );
      await env.db.query(
        `INSERT INTO change_event (change_id, event_key, at, type, actor, data)
         SELECT id, 'submitted', now(), 'submitted', $2, jsonb_build_object('type', 'normal', 'cis', jsonb_build_array(ci), 'planHash', $3::text)
           FROM unnest($1::text[], $4::text[]) AS x(id, ci)`,
        [chunk, rssRequester.id, planHash, chunk.map((_, j) => ciOf(i + j))],
      );
    }
    const t1 = performance.now();
    const start = async (changeId: string, index: number): Promise<string> => {
      const input: ChangeWorkflowInput = {
        changeId,
        type: 'normal',
        title: 'Bench RSS change',
        requester: rssRequester,
        ciKeys: [ciOf(index)],
        planHash,
        steps: plan.steps,
        settings: LONG_CHANGE_PROCESS,
      };
      const handle = await client.workflow.start<WorkflowOf<typeof changeWorkflowDefinition>>(changeWorkflowDefinition.name, {
        workflowId: changeWorkflowId(changeId),
        taskQueue: RSS_QUEUE,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { title: input.title, requester: rssRequester.id },
      });
      started.push(handle.workflowId);
      return handle.firstExecutionRunId;
    };
    const runIds: string[] = [];
    const base = (await observe()).awaiting_approval ?? 0;
    while (runIds.length < ids.length && performance.now() < until) {
      const inFlight = runIds.length - (((await observe()).awaiting_approval ?? 0) - base);
      const room = Math.min(FEED_WINDOW - inFlight, ids.length - runIds.length);
      if (room < Math.min(START_CONCURRENCY, ids.length - runIds.length)) {
        await sleep(100);
        continue;
      }
      const offset = runIds.length;
      runIds.push(...(await inPool(ids.slice(offset, offset + room), START_CONCURRENCY, (id, j) => start(id, offset + j))));
    }
    const t2 = performance.now();
    for (let i = 0; i < runIds.length; i += 2_000) {
      await env.db.query(`UPDATE change_request c SET workflow_run_id = x.run FROM unnest($1::text[], $2::text[]) AS x(id, run) WHERE c.id = x.id`, [
        ids.slice(i, i + 2_000),
        runIds.slice(i, i + 2_000),
      ]);
    }
    if (runIds.length < ids.length) {
      const unstarted = ids.slice(runIds.length);
      await env.db.query(`DELETE FROM change_event WHERE change_id = ANY($1::text[])`, [unstarted]);
      await env.db.query(`DELETE FROM change_request WHERE id = ANY($1::text[]) AND state = 'submitted'`, [unstarted]);
    }
    return { started: runIds.length, insertMs: Math.round(t1 - t0), startMs: Math.round(t2 - t1) };
  };

  try {
    // Ready once it polls its task queue.
    await pollUntil(
      'the worker process polling bench-rss',
      async () => {
        alive();
        const answer = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: RSS_QUEUE }, taskQueueType: 1 });
        return answer.pollers?.length ?? 0;
      },
      (n) => n > 0,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await sleep(3_000);
    const idleMiB = rssMiB(pid);
    progress(`worker process ${pid} polling ${RSS_QUEUE}, RSS ${idleMiB} MiB`);

    const small = await createChanges(RSS_SMALL, Number.POSITIVE_INFINITY);
    await awaiting(RSS_SMALL, 60_000);
    await sleep(5_000);
    alive();
    const atSmall = rssMiB(pid);
    progress(`${RSS_SMALL} awaiting approval, RSS ${atSmall} MiB`);

    const ticks = clockTicks();
    const serverPid = temporalServerPid(env.temporalAddress.split(':').pop() ?? '');
    const cpu0 = { worker: cpuSeconds(pid, ticks), server: serverPid ? cpuSeconds(serverPid, ticks) : NaN, bench: process.cpuUsage(), machine: machineBusySeconds(ticks) };
    const fill0 = performance.now();
    const large = await createChanges(RSS_LARGE - RSS_SMALL, feedUntil);
    const total = RSS_SMALL + large.started;
    // The last window still in flight: at most FEED_WINDOW changes.
    await awaiting(total, 180_000);
    const fillMs = performance.now() - fill0;
    const cpu = {
      workerProcess: round(cpuSeconds(pid, ticks) - cpu0.worker),
      temporalServer: serverPid ? round(cpuSeconds(serverPid, ticks) - cpu0.server) : null,
      benchProcess: round((process.cpuUsage(cpu0.bench).user + process.cpuUsage(cpu0.bench).system) / 1e6),
      machineBusy: round(machineBusySeconds(ticks) - cpu0.machine),
      machineCapacity: round((cpus().length * fillMs) / 1000),
    };
    await sleep(5_000);
    alive();
    const atLarge = rssMiB(pid);
    progress(`${total} awaiting approval after ${Math.round(fillMs)} ms, RSS ${atLarge} MiB`);

    return {
      measures:
        'VmRSS of a separate worker process (node dist/apps/worker/src/main.js, task queue bench-rss) with N change workflows awaiting approval, sampled 5 s after the last one got there',
      awaitingApproval: { target: RSS_LARGE, reached: total, complete: total === RSS_LARGE, ...(total < RSS_LARGE ? { stoppedBy: 'the time budget of the bench' } : {}) },
      rssMiB: { idle: idleMiB, [`at${RSS_SMALL}`]: atSmall, [`at${total}`]: atLarge, peakWhileFilling: peak },
      rssMiBOnTheWay: {
        measures: 'sampled while filling (not settled), when the count awaiting approval first reached each mark',
        ...Object.fromEntries(Object.entries(onTheWay).map(([k, v]) => [`at${k}`, v])),
      },
      // Growth per waiting change while they all fit in the sticky cache, and once they no longer do.
      kibPerAwaitingChange: {
        upToCacheSize: onTheWay[cache.maxCachedWorkflows] === undefined ? null : round(((onTheWay[cache.maxCachedWorkflows] - atSmall) * 1024) / (cache.maxCachedWorkflows - RSS_SMALL), 1),
        beyondCacheSize:
          onTheWay[cache.maxCachedWorkflows] === undefined || total <= cache.maxCachedWorkflows
            ? null
            : round(((atLarge - onTheWay[cache.maxCachedWorkflows]) * 1024) / (total - cache.maxCachedWorkflows), 1),
      },
      fill: {
        changes: large.started,
        spreadOverCis: RSS_CIS,
        rowInsertMs: large.insertMs,
        startConcurrency: START_CONCURRENCY,
        feedWindow: FEED_WINDOW,
        toAllAwaitingApprovalMs: Math.round(fillMs),
        throughputPerSecond: round(large.started / (fillMs / 1000)),
        cpuSeconds: cpu,
        cpuMsPerChange: {
          workerProcess: round((cpu.workerProcess * 1000) / Math.max(1, large.started)),
          temporalServer: cpu.temporalServer === null ? null : round((cpu.temporalServer * 1000) / Math.max(1, large.started)),
        },
        first100: small,
      },
      stickyCache: {
        maxCachedWorkflows: cache.maxCachedWorkflows,
        setting: 'not set by StewardWorkerService: the SDK default, max(floor((heap_size_limit MiB - 200) * 600 / 1024), 10) with reuseV8Context',
        heapSizeLimitMiB: cache.heapSizeLimitMiB,
        note: `only ${cache.maxCachedWorkflows} waiting workflows stay cached; the others are evicted and replayed from history on their next task`,
      },
    };
  } finally {
    await worker.stop();
    // A dev server started by the bench environment goes with it; an external one keeps nothing of ours.
    if (process.env.TEMPORAL_ADDRESS) {
      await inPool(started, START_CONCURRENCY, (workflowId) => client.workflow.getHandle(workflowId).terminate('bench done').catch(() => undefined));
    }
  }
}

export async function benchChanges(env: BenchEnvironment): Promise<Record<string, unknown>> {
  const started = Date.now();
  await seedCis(env);
  const { client, connection } = await benchClient(env.temporalAddress);
  // The bare-SDK baseline stays bare: a client without Steward's payload codec.
  const plainConnection = await Connection.connect({ address: env.temporalAddress });
  const plainClient = new Client({ connection: plainConnection, namespace: 'default' });
  const runTag = Date.now().toString(36);
  try {
    const latency = await benchLatency(env, plainClient, runTag);
    const latencyMs = Date.now() - started;
    const workerRss = await benchWorkerRss(env, client, runTag, performance.now() + FEED_BUDGET_MS - (Date.now() - started));
    return { ...latency, workerRss, durationsMs: { latency: latencyMs, total: Date.now() - started } };
  } finally {
    await plainConnection.close();
    await connection.close();
  }
}
