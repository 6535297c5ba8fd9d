import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** The console built the way `npm run build` builds it, into a directory of the test's own. */
export function buildConsole(): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'steward-console-'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'apps', 'console', 'vite.config.mts'), '--outDir', root, '--emptyOutDir'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 120_000,
  });
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
