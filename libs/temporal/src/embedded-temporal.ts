import { Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTemporalCli, toSdkExecutable } from './toolchain/toolchain';

export interface EmbeddedTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
  /** Ends the server at once (a second Ctrl-C): nothing is lost, its SQLite file is durable. */
  kill(): void;
}

export interface EmbeddedTemporalOptions {
  dataDir: string;
  namespace: string;
  port: number;
  uiPort: number;
  cliPath?: string;
  /** Extra `temporal server start-dev` flags (e.g. the UI's codec endpoint). */
  extraArgs?: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/**
 * The Temporal dev server for `npm start`: the official CLI's `server start-dev`, with its
 * history in a SQLite file under DATA_DIR so that workflows survive a restart, and its Web UI.
 * The launcher runs the CLI in a process group of its own: a terminal's Ctrl-C reaches the
 * launcher alone, which drains the worker first and stops this server last. (Started through the
 * SDK's launcher, the server shared the terminal's group and died at the first Ctrl-C while the
 * worker was still draining, which then never finished.)
 */
export async function startEmbeddedTemporal(options: EmbeddedTemporalOptions): Promise<EmbeddedTemporal> {
  mkdirSync(options.dataDir, { recursive: true });
  const source = resolveTemporalCli({ cliPath: options.cliPath });
  const address = `127.0.0.1:${options.port}`;
  const uiUrl = `http://127.0.0.1:${options.uiPort}`;

  if (source.type !== 'existing-path') {
    // Machines with internet and no Go: the SDK downloads the CLI and owns its process. Loaded
    // here only: the testing package brings the worker and activity runtimes with it, which
    // every process that imports this library (the API among them) would otherwise load.
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: toSdkExecutable(source),
        ip: '127.0.0.1',
        port: options.port,
        ui: true,
        uiPort: options.uiPort,
        namespace: options.namespace,
        dbFilename: join(options.dataDir, 'temporal.sqlite'),
        log: { format: 'json', level: 'warn' },
        extraArgs: options.extraArgs,
      },
    });
    return { address: env.address, uiUrl, stop: () => env.teardown(), kill: () => void env.teardown() };
  }

  const logPath = join(options.dataDir, 'temporal.log');
  const logFd = openSync(logPath, 'a', 0o600);
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--ui-port', String(options.uiPort),
    '--db-filename', join(options.dataDir, 'temporal.sqlite'),
    '--namespace', options.namespace,
    '--log-format', 'json',
    '--log-level', 'warn',
    ...(options.extraArgs ?? []),
  ];
  const server = spawn(source.path, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  server.unref();
  const pid = server.pid;
  if (!pid) throw new Error(`the Temporal dev server (${source.path}) did not start`);
  let exited = false;
  server.on('exit', () => {
    exited = true;
  });

  const ready = await until(async () => {
    if (exited) return true;
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
        return true;
      } finally {
        await connection.close();
      }
    } catch {
      return false;
    }
  }, 60_000);
  if (exited || !ready) {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    const tail = readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`the Temporal dev server did not become ready at ${address}; its log (${logPath}):\n${tail}`);
  }

  return {
    address,
    uiUrl,
    async stop() {
      if (!alive(pid)) return;
      process.kill(pid, 'SIGTERM');
      if (!(await until(() => !alive(pid), 15_000))) process.kill(pid, 'SIGKILL');
    },
    kill() {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}
