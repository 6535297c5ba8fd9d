import type { NestExpressApplication } from '@nestjs/platform-express';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { consoleOpenApiDocument, CONSOLE_OPENAPI_PATH } from '../../scripts/console-openapi';
import { createTestDatabase, startApi, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { buildConsole } from './support/console-build';

const ROOT = join(__dirname, '..', '..');

/**
 * The API serving the console, the embedded default's demo sign-in (and its absence anywhere
 * else), and the contract the console's client is generated from.
 */
describe('the console served by the API', () => {
  let database: TestDatabase;
  let built: ReturnType<typeof buildConsole>;
  /** As the embedded launcher starts it: the console and the demo sign-in. */
  let demo: NestExpressApplication;
  /** As any other deployment starts it: no demo sign-in, no console built. */
  let plain: NestExpressApplication;
  let demoHttp: App;
  let plainHttp: App;

  beforeAll(async () => {
    built = buildConsole();
    database = await createTestDatabase('console_serving');
    const taskQueue = uniqueTaskQueue('console-serving');
    [demo, plain] = await Promise.all([
      startApi(database.url, taskQueue, undefined, undefined, { consoleRoot: built.root, demoSignIn: true }),
      startApi(database.url, taskQueue, undefined, undefined, { consoleRoot: join(built.root, 'no-console-here') }),
    ]);
    demoHttp = demo.getHttpServer() as App;
    plainHttp = plain.getHttpServer() as App;
  }, 180_000);

  afterAll(async () => {
    await demo?.close();
    await plain?.close();
    await database?.drop();
    built?.remove();
  });

  it('serves index.html at / revalidated on every load, and its hashed assets cached for a year, under a CSP of its own', async () => {
    const page = await request(demoHttp).get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const assets = [...page.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const answer = await request(demoHttp).get(asset).expect(200);
      expect([asset, answer.headers['cache-control']]).toEqual([asset, 'public, max-age=31536000, immutable']);
      expect(answer.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'self'/);
    }
    // An asset that does not exist is the API's 404, not index.html.
    await request(demoHttp).get('/assets/index-missing.js').expect(404);
  });

  it('leaves /api, /health and /docs as they were: their own CSP, no caching of API answers', async () => {
    const api = await request(demoHttp).get('/api/changes').expect(401);
    expect(api.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    expect(api.headers['cache-control']).toBe('no-store');
    const health = await request(demoHttp).get('/health').expect(200);
    expect(health.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    const docs = await request(demoHttp).get('/docs-json').expect(200);
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'; style-src 'self' 'unsafe-inline'/);
  });

  it('without a built console, / is the API 404 it always was', async () => {
    const answer = await request(plainHttp).get('/').expect(404);
    expect(answer.body).toMatchObject({ statusCode: 404 });
  });

  it('the demo sign-in lists the demo users and mints a token the API accepts, under the embedded configuration', async () => {
    const users = (await request(demoHttp).get('/api/demo/users').expect(200)).body as Array<{ id: string; part: string; roles: string[] }>;
    expect(users.map((u) => u.id)).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'dave']));
    const minted = await request(demoHttp).post('/api/demo/tokens').send({ userId: 'carol' }).expect(200);
    expect(minted.body.user).toMatchObject({ id: 'carol', name: 'Carol CAB' });
    const me = await request(demoHttp).get('/api/me').set('Authorization', `Bearer ${minted.body.token}`).expect(200);
    expect(me.body).toMatchObject({ id: 'carol', roles: ['cab_member'], groups: ['cab', 'dba', 'platform', 'workplace'] });
    await request(demoHttp).post('/api/demo/tokens').send({ userId: 'mallory' }).expect(404);
    await request(demoHttp).post('/api/demo/tokens').send({}).expect(400);
  });

  it('does not exist on any other API: 404 for both routes, absent from its OpenAPI document', async () => {
    await request(plainHttp).get('/api/demo/users').expect(404);
    await request(plainHttp).post('/api/demo/tokens').send({ userId: 'bob' }).expect(404);
    const document = (await request(plainHttp).get('/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((p) => p.startsWith('/api/demo'))).toEqual([]);
  });

  it("the console's committed OpenAPI document is the API's, so a contract change fails here and in the console's typecheck", async () => {
    const committed = JSON.parse(readFileSync(join(ROOT, CONSOLE_OPENAPI_PATH), 'utf8'));
    // What the generator builds without a database is what `npm run console:openapi` committed...
    expect(committed).toEqual(JSON.parse(JSON.stringify(await consoleOpenApiDocument({ demoSignIn: true }))));
    // ...and, without the demo routes, exactly what a real API serves at /docs-json.
    const served = (await request(plainHttp).get('/docs-json').expect(200)).body;
    expect(JSON.parse(JSON.stringify(await consoleOpenApiDocument({ demoSignIn: false })))).toEqual(served);
    // The console's types are generated from that document as committed.
    const out = mkdtempSync(join(tmpdir(), 'steward-console-types-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), join(ROOT, CONSOLE_OPENAPI_PATH), '-o', join(out, 'schema.d.ts')], { stdio: 'ignore', timeout: 120_000 });
      expect(readFileSync(join(out, 'schema.d.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'apps', 'console', 'src', 'api', 'schema.d.ts'), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
