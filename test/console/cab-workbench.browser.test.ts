import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS } from '@steward/identity';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestDatabase, eventually, startApi, startWorker, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { debianChromium } from './support/chromium';
import { buildConsole } from './support/console-build';

/** Written by every run for review; git ignores the folder. */
const SCREENSHOTS = join(__dirname, 'screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const AXE = require.resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** axe-core in the page; the serious and critical violations, with where they are. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  // A string: this file is compiled without the DOM's types.
  const violations = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)")) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/**
 * The page as the system's light and dark themes show it: axe on each (the serious and critical
 * violations, tagged with the scheme), and screenshots at desktop and phone widths.
 */
async function checkAndPhotograph(page: Page, name: string): Promise<string[]> {
  const violations: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // The console follows the system: Mantine switches the page's scheme on the media change.
    await page.locator(`html[data-mantine-color-scheme="${scheme}"]`).waitFor({ state: 'attached' });
    violations.push(...(await seriousViolations(page)).map((v) => `${scheme}: ${v}`));
    for (const [width, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
    }
    await page.setViewportSize(DESKTOP);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return violations;
}

/**
 * The CAB workbench in Debian's Chromium against a whole Steward (the API serving the built
 * console with the embedded default's demo sign-in, the worker, Temporal, PostgreSQL): a change
 * requested by a change manager, his own approval refused as the API words it, the two CAB
 * members whose groups own its CIs approving it one after the other through the page, and the
 * change going on to be implemented.
 */
describe('the CAB workbench in a real browser', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let built: ReturnType<typeof buildConsole>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let changeId: string;
  let planHash: string;
  const tokens: Record<string, string> = {};
  const taskQueue = uniqueTaskQueue('console-browser');

  const call = async (who: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  const signIn = async (name: string) => {
    await page.getByRole('button', { name: `Sign in as ${name}` }).click();
    await page.getByRole('heading', { name: 'CAB workbench' }).waitFor();
    await page.getByText(`Signed in as ${name}`).waitFor();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Steward' }).waitFor();
  };
  const card = (section: 'awaiting-me' | 'awaiting-others') => page.locator(`section[aria-labelledby="${section}"] article[data-change="${changeId}"]`);

  /** Opens the decision dialog, checks the plan hash it shows, confirms with a comment. */
  const decide = async (verb: 'Approve', comment: string) => {
    await page.getByRole('button', { name: `${verb} ${changeId}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('plan-hash').innerText()).toBe(planHash);
    await dialog.getByLabel('Comment').fill(comment);
    await dialog.getByRole('button', { name: `Confirm: ${verb.toLowerCase()}` }).click();
    return dialog;
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const executablePath = debianChromium();
    built = buildConsole();
    database = await createTestDatabase('console_browser');
    [worker, api] = await Promise.all([startWorker(database.url, taskQueue), startApi(database.url, taskQueue, undefined, undefined, { consoleRoot: built.root, demoSignIn: true })]);
    base = await api.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
    for (const [part, user] of Object.entries(DEMO_USERS)) tokens[part] = await tokenFor(user);
    browser = await chromium.launch({ executablePath, headless: true });
    // axe is injected as a script of the test's own, which the console's CSP (rightly) refuses.
    context = await browser.newContext({ viewport: DESKTOP, bypassCSP: true, colorScheme: 'light' });
    page = await context.newPage();

    // Two CIs of little risk, owned by two groups: the low-risk policy needs one vote from each.
    for (const ci of [
      { key: 'app-console-ledger', name: 'Ledger (console test)', type: 'application', environment: 'development', criticality: 4, ownerGroup: 'payments-team' },
      { key: 'host-console-ledger', name: 'Ledger host (console test)', type: 'host', environment: 'development', criticality: 4, ownerGroup: 'platform' },
    ]) {
      expect((await call('admin', 'POST', '/api/cis', ci)).status).toBe(201);
    }
    // Requested by Dave: a change manager may vote, so his own approval is refused by the rule.
    const submitted = await call('changeManager', 'POST', '/api/changes', {
      title: 'Upgrade the ledger to 2.4.1',
      description: 'Fixes rounding of settlement totals',
      type: 'normal',
      cis: ['app-console-ledger', 'host-console-ledger'],
      justification: 'Settlement totals are off by a cent',
      plan: {
        steps: [
          { id: 'deploy', name: 'Deploy 2.4.1', kind: 'automated', action: { executor: 'simulated', outcome: 'succeed', durationMs: 200 }, rollback: { executor: 'simulated', outcome: 'succeed' }, estimatedMinutes: 5 },
          { id: 'restart', name: 'Restart the ledger host', kind: 'automated', action: { executor: 'simulated', outcome: 'succeed', durationMs: 200 }, rollback: { executor: 'simulated', outcome: 'succeed' }, estimatedMinutes: 2 },
        ],
      },
      backoutPlan: 'Redeploy 2.4.0 from the release archive and restart the ledger host.',
      testEvidence: 'Staging run 2026-11-30: all settlement tests green',
    });
    expect(submitted.status).toBe(201);
    changeId = submitted.body.id;
    const awaiting = await eventually(() => call('auditor', 'GET', `/api/changes/${changeId}`), (r) => r.body?.state === 'awaiting_approval', 60_000);
    expect(awaiting.body.risk.level).toBe('low');
    expect(awaiting.body.requiredApprovals).toHaveLength(2);
    planHash = awaiting.body.planHash;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await worker?.close();
    await database?.drop();
    built?.remove();
  }, 60_000);

  it('signs in through a picker of the demo users; the page has no serious accessibility violation', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in to Steward' }).waitFor();
    for (const user of Object.values(DEMO_USERS)) await page.getByRole('button', { name: `Sign in as ${user.name}` }).waitFor();
    expect(await checkAndPhotograph(page, 'sign-in')).toEqual([]);
  }, 60_000);

  it('on an API without the demo sign-in (an OIDC deployment), says that OIDC sign-in is not built yet instead of offering one', async () => {
    const other = await startApi(database.url, taskQueue, undefined, undefined, { consoleRoot: built.root });
    try {
      const elsewhere = await context.newPage();
      await elsewhere.goto((await other.getUrl()).replace('[::1]', '127.0.0.1'));
      const notice = elsewhere.getByRole('status');
      await notice.waitFor();
      expect(await notice.innerText()).toMatch(/Sign-in through an OIDC issuer \(authorization code with PKCE\) is not built yet/);
      expect(await elsewhere.getByRole('button', { name: /^Sign in as / }).count()).toBe(0);
      expect(await seriousViolations(elsewhere)).toEqual([]);
      await elsewhere.close();
    } finally {
      await other.close();
    }
  }, 60_000);

  it("refuses the requester's own approval, showing the API's reason as the API words it", async () => {
    await signIn('Dave Change Manager');
    // His own change is not awaiting his decision: it is among the others.
    await card('awaiting-others').waitFor();
    expect(await card('awaiting-me').count()).toBe(0);
    const dialog = await decide('Approve', 'Looks fine to me');
    const refusal = dialog.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/The API refused the decision\s+requester cannot approve own change$/);
    // The dialog, as it shows the refusal, is accessible too.
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'workbench-refusal-desktop.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await call('auditor', 'GET', `/api/changes/${changeId}`)).body.approvals).toEqual([]);
    await signOut();
  }, 60_000);

  it('shows each CAB member the change awaiting their decision, with risk, CIs, plan, backout and policy, and takes their approvals one after the other', async () => {
    await signIn('Bob CAB');
    const bobsCard = card('awaiting-me');
    await bobsCard.waitFor();
    const text = await bobsCard.innerText();
    expect(text).toContain(`${changeId}: Upgrade the ledger to 2.4.1`);
    expect(text).toMatch(/Risk low · \d+/);
    for (const expected of ['app-console-ledger', 'host-console-ledger', 'Deploy 2.4.1', 'Restart the ledger host', 'Redeploy 2.4.0 from the release archive', 'No votes yet.', 'missing 1']) expect(text).toContain(expected);
    expect(await checkAndPhotograph(page, 'workbench')).toEqual([]);

    const bobsDialog = await decide('Approve', 'Backout is tested; go.');
    await bobsDialog.waitFor({ state: 'hidden' });
    // Decided: no longer awaiting Bob, his vote shown.
    await card('awaiting-others').getByText('You approved this plan.').waitFor();
    const afterBob = (await call('auditor', 'GET', `/api/changes/${changeId}`)).body;
    expect(afterBob.state).toBe('awaiting_approval');
    expect(afterBob.approvals).toEqual([expect.objectContaining({ approver: 'bob', decision: 'approve', comment: 'Backout is tested; go.', planHash, voided: false })]);
    await signOut();

    await signIn('Carol CAB');
    const carolsCard = card('awaiting-me');
    await carolsCard.waitFor();
    // Carol sees Bob's vote and the rule still missing a vote.
    await carolsCard.getByText('Bob CAB', { exact: true }).waitFor();
    expect(await carolsCard.innerText()).toMatch(/missing 1/);
    const carolsDialog = await decide('Approve', 'Platform side checked.');
    await carolsDialog.waitFor({ state: 'hidden' });
    // Approved by every rule: the change leaves the workbench.
    await page.locator(`article[data-change="${changeId}"]`).waitFor({ state: 'detached', timeout: 30_000 });
    const afterCarol = (await call('auditor', 'GET', `/api/changes/${changeId}`)).body;
    expect(afterCarol.approvals.map((a: { approver: string; decision: string }) => `${a.approver}:${a.decision}`)).toEqual(['bob:approve', 'carol:approve']);
    expect(afterCarol.requiredApprovals.every((r: { satisfied: boolean }) => r.satisfied)).toBe(true);
    await signOut();
  }, 120_000);

  it('the approved change is then scheduled, implemented and completed (read through the API)', async () => {
    const done = await eventually(() => call('auditor', 'GET', `/api/changes/${changeId}`), (r) => ['completed', 'failed', 'rolled_back'].includes(r.body?.state), 90_000);
    expect(done.body.state).toBe('completed');
    const timeline = (await call('auditor', 'GET', `/api/changes/${changeId}/timeline`)).body as Array<{ type: string; data: { to?: string } }>;
    const states = timeline.filter((e) => e.type === 'state_changed').map((e) => e.data.to);
    expect(states).toEqual(expect.arrayContaining(['awaiting_approval', 'scheduled', 'implementing', 'completed']));
    expect(states.indexOf('scheduled')).toBeLessThan(states.indexOf('implementing'));
    expect(states.indexOf('implementing')).toBeLessThan(states.indexOf('completed'));
  }, 120_000);
});
