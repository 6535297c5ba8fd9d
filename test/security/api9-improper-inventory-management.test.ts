import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TEST_JWT_SECRET, TEST_SIGNING_SECRET, createTestDatabase, startApi, uniqueTaskQueue, type TestDatabase } from '../support/harness';

interface ServedRoute {
  method: string;
  path: string;
}

/** Express 5 keeps its routes on `app.router.stack`; Nest writes `:param` where OpenAPI writes `{param}`. */
function servedRoutes(api: NestExpressApplication): ServedRoute[] {
  const express = api.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  const routes: ServedRoute[] = [];
  // Nest mounts module middleware (request logging, the codec endpoint's CORS) on every method of
  // its path, M-SEARCH included; a handler names its own method. Middleware is no door of its own.
  const middlewarePaths = new Set(express.router.stack.filter((l) => l.route?.methods['m-search']).map((l) => l.route!.path));
  for (const layer of express.router.stack) {
    if (layer.route && middlewarePaths.has(layer.route.path) && Object.keys(layer.route.methods).length > 1) continue;
    // Nest mounts module middleware (the request logger) as `{/*splat}` on every method: a
    // pass-through, not a door; that nothing answers there is the 404 test below.
    if (!layer.route || layer.route.path === '/{*splat}' || layer.route.path.includes('*splat')) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all') routes.push({ method: method.toUpperCase(), path: layer.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') });
    }
  }
  return routes;
}

/**
 * The routes that exist only to serve the document itself, or liveness: everything else a
 * client can reach must be written in the OpenAPI document, so nobody discovers a door that the
 * inventory (and the read policy built on it) does not know.
 */
const OUTSIDE_THE_DOCUMENT = [/^\/docs(-json|-yaml)?$/, /^\/docs\//];

describe('API9:2023 Improper Inventory Management', () => {
  let database: TestDatabase;
  let api: NestExpressApplication;
  let http: App;
  let document: { paths: Record<string, Record<string, unknown>>; info: { version: string } };

  beforeAll(async () => {
    database = await createTestDatabase('security_api9');
    api = await startApi(database.url, uniqueTaskQueue('security-api9'));
    http = api.getHttpServer() as App;
    document = (await request(http).get('/docs-json').expect(200)).body;
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  it('serves no route that the OpenAPI document does not list', () => {
    const undocumented = servedRoutes(api)
      .filter((route) => !OUTSIDE_THE_DOCUMENT.some((pattern) => pattern.test(route.path)))
      .filter((route) => document.paths[route.path]?.[route.method.toLowerCase()] === undefined)
      .map((route) => `${route.method} ${route.path}`);
    expect(servedRoutes(api).length).toBeGreaterThan(40);
    expect(undocumented).toEqual([]);
  });

  it('documents no route that is not served', () => {
    const served = new Set(servedRoutes(api).map((route) => `${route.method} ${route.path}`));
    const phantom = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`)
        .filter((route) => !served.has(route)),
    );
    expect(phantom).toEqual([]);
  });

  it('names its version, and every operation outside /health requires a bearer token in the document', () => {
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    const unsecured = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations as Record<string, { security?: unknown[] }>)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .filter(([, operation]) => !operation.security || operation.security.length === 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    // Liveness is the one public door (the API contract says so).
    expect(unsecured.filter((route) => !/^GET \/health/.test(route))).toEqual([]);
  });

  it('answers an unknown route 404 without naming the framework or its version', async () => {
    for (const path of ['/api/v0/changes', '/api/internal/debug', '/.env', '/api/changes/../../etc/passwd']) {
      const response = await request(http).get(path);
      expect(response.status).toBe(404);
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(JSON.stringify(response.body)).not.toMatch(/express|nestjs|stack/i);
    }
  });

  it('never prints a configured secret in the OpenAPI document', async () => {
    const text = (await request(http).get('/docs-json').expect(200)).text;
    expect(text).not.toContain(TEST_JWT_SECRET);
    expect(text).not.toContain(TEST_SIGNING_SECRET);
  });
});
