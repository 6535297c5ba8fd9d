import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Where the Temporal server binaries come from. One resolver serves `npm start`, the test run
 * and `.ci/run`, so a developer, CI and a user get the same server the same way.
 *
 * Dev server (the `temporal` CLI), first that works:
 *   1. TEMPORAL_CLI_PATH
 *   2. `temporal` on PATH
 *   3. the per-user cache (~/.cache/steward/temporal-<version>/temporal), so clones share it
 *   4. `go install` of the official CLI into that cache, where Go is present (minutes, once)
 *   5. the SDK's own download (machines with internet)
 * Time-skipping test server: the cache, else the Maven artifact and its dependencies fetched
 * into it where Java and Maven are present, run by a small `java -cp` wrapper.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.32.1';

export type ExecutableSource =
  | { type: 'existing-path'; path: string; origin: string }
  | { type: 'cached-download'; origin: string };

type Log = (message: string) => void;
const defaultLog: Log = (message) => process.stderr.write(`[steward toolchain] ${message}\n`);

export function stewardCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME.length > 0 ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'steward');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

export function resolveTemporalCli(options: { cliPath?: string; log?: Log; build?: boolean } = {}): ExecutableSource {
  const log = options.log ?? defaultLog;
  const explicit = options.cliPath ?? process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH: ${explicit} is not an executable file`);
    return { type: 'existing-path', path: explicit, origin: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { type: 'existing-path', path: fromPath, origin: 'PATH' };

  const cacheDir = join(stewardCacheDir(), `temporal-${TEMPORAL_CLI_VERSION}`);
  const cached = join(cacheDir, 'temporal');
  if (isExecutable(cached)) return { type: 'existing-path', path: cached, origin: 'cache' };

  if (options.build !== false && onPath('go')) {
    log(`building the Temporal CLI v${TEMPORAL_CLI_VERSION} with Go into ${cacheDir} (once; 2 to 5 minutes on 2 cores)...`);
    mkdirSync(cacheDir, { recursive: true });
    // Build into a scratch folder first: an interrupted build must not leave a half binary in the cache.
    const scratch = join(cacheDir, `.build-${process.pid}`);
    mkdirSync(scratch, { recursive: true });
    const started = Date.now();
    const result = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: scratch, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status === 0 && isExecutable(join(scratch, 'temporal'))) {
      renameSync(join(scratch, 'temporal'), cached);
      rmSync(scratch, { recursive: true, force: true });
      log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${cached}`);
      return { type: 'existing-path', path: cached, origin: 'go install' };
    }
    rmSync(scratch, { recursive: true, force: true });
    log('go install of the Temporal CLI failed; falling back to the SDK download');
  }
  log('no Temporal CLI found; the Temporal SDK will download one (needs internet)');
  return { type: 'cached-download', origin: 'SDK download' };
}

/** Java's test server with time skipping, as an executable wrapper the SDK can start. */
export function resolveTimeSkippingServer(options: { log?: Log } = {}): ExecutableSource {
  const log = options.log ?? defaultLog;
  const dir = join(stewardCacheDir(), `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`);
  const wrapper = join(dir, 'temporal-test-server');
  const libDir = join(dir, 'lib');
  const hasJars = () => existsSync(libDir) && readdirSync(libDir).some((f) => f.startsWith('temporal-test-server-'));
  if (isExecutable(wrapper) && hasJars()) return { type: 'existing-path', path: wrapper, origin: 'cache' };

  const java = onPath('java');
  if (java && onPath('mvn')) {
    log(`fetching io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION} with Maven into ${dir} (once, seconds)...`);
    mkdirSync(dir, { recursive: true });
    const pom = join(dir, 'pom.xml');
    writeFileSync(
      pom,
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>steward.local</groupId><artifactId>temporal-test-server-fetch</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEMPORAL_TEST_SERVER_VERSION}</version></dependency>
  </dependencies>
</project>
`,
    );
    try {
      execFileSync('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch {
      log('Maven could not fetch the time-skipping test server; falling back to the SDK download');
      return { type: 'cached-download', origin: 'SDK download' };
    }
    // The SDK starts the executable with the port as its first argument, as TestServer expects.
    writeFileSync(wrapper, `#!/bin/sh\nexec "${java}" -cp "${libDir}/*" io.temporal.testserver.TestServer "$@"\n`);
    chmodSync(wrapper, 0o755);
    if (hasJars()) return { type: 'existing-path', path: wrapper, origin: 'maven' };
  }
  log('no Java/Maven for the time-skipping test server; the Temporal SDK will download one (needs internet)');
  return { type: 'cached-download', origin: 'SDK download' };
}

/** The SDK's executable option for a resolved source. */
export function toSdkExecutable(source: ExecutableSource): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  return source.type === 'existing-path' ? { type: 'existing-path', path: source.path } : { type: 'cached-download' };
}
