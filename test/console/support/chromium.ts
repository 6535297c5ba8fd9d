import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package puts the browser. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Debian's Chromium for playwright-core (Playwright's own browser download is not reachable
 * from this project's machines). Absent and running as root: installed with apt-get, as .ci/run
 * does, so `npm ci && npm test` works on a fresh machine; absent otherwise: a failure that says
 * what to run.
 */
export function debianChromium(): string {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(`the console's browser tests need Chromium (${CANDIDATES.join(' or ')}), which is not installed; as root run: apt-get install -y chromium`);
  }
  const apt = (...args: string[]) => execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 });
  try {
    apt('install', '-y', '--no-install-recommends', 'chromium');
  } catch {
    // A fresh image has no package lists yet.
    apt('update');
    apt('install', '-y', '--no-install-recommends', 'chromium');
  }
  const installed = CANDIDATES.find((path) => existsSync(path));
  if (!installed) throw new Error('apt-get install chromium finished but no chromium binary is at /usr/bin/chromium');
  return installed;
}
