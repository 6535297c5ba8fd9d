import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BENCH_DECISION_KEYS, BENCH_PAYLOAD_CODEC_KEYS_TEXT, BENCH_WORKER_SECRET, type BenchEnvironment } from './support';

/*
 * The worker as it is deployed, in a process of its own so that its memory and CPU are its
 * own, and what Linux says about processes (/proc): shared by the benches that measure them.
 */

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

export interface BenchWorkerProcess {
  pid: number;
  /** The sticky cache the SDK gives this worker by default. */
  cache: { heapSizeLimitMiB: number; maxCachedWorkflows: number };
  /** The last 8,000 characters the worker printed. */
  output(): string;
  /** Throws, with what the worker said, once it has exited. */
  alive(): void;
  /** SIGTERM (the worker drains), SIGKILL after 25 s. */
  stop(): Promise<void>;
}

/** Starts `apps/worker` (compiled) on the bench's servers, polling `taskQueue`. */
export function spawnBenchWorker(env: BenchEnvironment, taskQueue: string): BenchWorkerProcess {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: env.postgresUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    DECISION_VERIFY_KEY: BENCH_DECISION_KEYS.verifyKey,
    WORKER_SECRET: BENCH_WORKER_SECRET,
    PAYLOAD_CODEC_KEYS: BENCH_PAYLOAD_CODEC_KEYS_TEXT,
    LOG_LEVEL: 'warn',
  };
  // The worker refuses to start holding the decision private key, should the shell have one.
  delete childEnv.DECISION_SIGNING_KEY;
  const cache = stickyCacheDefault(childEnv);
  const child = spawn(process.execPath, [resolve(__dirname, '..', 'apps', 'worker', 'src', 'main.js')], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      done();
    }),
  );
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    pid: child.pid!,
    cache,
    output: () => output,
    alive: () => {
      if (exited) throw new Error(`the worker process exited (${JSON.stringify(exited)}): ${output}`);
    },
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exit.then(() => true), sleep(25_000).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await Promise.race([exit, sleep(5_000)]);
      }
    },
  };
}

/** maxCachedWorkflows as the SDK 1.24 defaults it (reuseV8Context: true), for a plain `node` on this machine. */
export function stickyCacheDefault(env: NodeJS.ProcessEnv): { heapSizeLimitMiB: number; maxCachedWorkflows: number } {
  const heap = Number(execFileSync(process.execPath, ['-p', "require('v8').getHeapStatistics().heap_size_limit"], { env, encoding: 'utf8', timeout: 10_000 }).trim());
  const heapMiB = heap / 1024 / 1024;
  return { heapSizeLimitMiB: Math.round(heapMiB), maxCachedWorkflows: Math.max(Math.floor((Math.max(heapMiB - 200, 0) * 600) / 1024), 10) };
}

export function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return round(Number(match[1]) / 1024);
}

/** Clock ticks per second, the unit of /proc's CPU times. */
export function clockTicks(): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim()) || 100;
}

/** CPU time of a process so far, in seconds (utime + stime from /proc/<pid>/stat). */
export function cpuSeconds(pid: number, ticksPerSecond: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Busy CPU time of the whole machine so far, in seconds, from /proc/stat. */
export function machineBusySeconds(ticksPerSecond: number): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond;
}

/** Pids whose command line passes `test`; the Temporal dev server and PostgreSQL run beside us. */
export function pidsWhere(test: (args: string[]) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (test(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The pid of the Temporal dev server listening on `port`, when it runs on this machine. */
export function temporalServerPid(port: string): number | undefined {
  return pidsWhere((args) => args.includes('start-dev') && args[args.indexOf('--port') + 1] === port)[0];
}

export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
