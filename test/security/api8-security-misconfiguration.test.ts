import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS } from '@steward/identity';
import { seedDemoData } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestDatabase, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { startApiWith } from './support/abuse-stack';

const CONSOLE = 'https://console.example.test';
const STACK = /\n\s+at |node_modules|\.ts:\d+|QueryFailedError|relation "|SELECT |stack/;

function expectSecurityHeaders(response: request.Response): void {
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['x-frame-options']).toBe('DENY');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(response.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  expect(response.headers['x-powered-by']).toBeUndefined();
}

describe('API8:2023 Security Misconfiguration', () => {
  let database: TestDatabase;
  let api: NestExpressApplication;
  let http: App;
  const taskQueue = uniqueTaskQueue('api8');

  beforeAll(async () => {
    database = await createTestDatabase('sec_api8');
    await seedDemoData(database.db);
    api = await startApiWith(database.url, taskQueue, { web: { corsOrigins: [CONSOLE] } });
    http = api.getHttpServer() as App;
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  describe('security headers', () => {
    it('are on every answer: success, refusal, unknown route, health, and the OpenAPI page; never X-Powered-By', async () => {
      const auditor = await tokenFor(DEMO_USERS.auditor);
      const answers = [
        await request(http).get('/api/changes').set('Authorization', `Bearer ${auditor}`).expect(200),
        await request(http).get('/api/changes').expect(401),
        await request(http).get('/api/nothing-here').set('Authorization', `Bearer ${auditor}`).expect(404),
        await request(http).get('/health'),
        await request(http).get('/docs').redirects(1),
        await request(http).get('/docs-json').expect(200),
      ];
      for (const answer of answers) expectSecurityHeaders(answer);
      // The API answers JSON: its policy allows nothing to load, and nothing is cached.
      expect(answers[0].headers['content-security-policy']).toMatch(/^default-src 'none'/);
      expect(answers[0].headers['cache-control']).toBe('no-store');
    });

    it('give the Swagger page a policy it works under: its scripts are all same-origin files, none inline', async () => {
      const page = await request(http).get('/docs').redirects(1).expect(200);
      const csp = page.headers['content-security-policy'];
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const attributes of scripts) expect(attributes).toMatch(/src=/);
      const init = page.text.match(/<script src="([^"]*swagger-ui-init\.js)"/)?.[1];
      expect(init).toBeDefined();
      await request(http).get(init!.startsWith('/') ? init! : `/docs/${init!.replace(/^\.\//, '').replace(/^docs\//, '')}`).expect(200);
    });

    it('send Strict-Transport-Security only when HSTS_MAX_AGE is configured', async () => {
      expect((await request(http).get('/health')).headers['strict-transport-security']).toBeUndefined();
      const hsts = await startApiWith(database.url, taskQueue, { web: { corsOrigins: [], hstsMaxAgeSeconds: 31_536_000 } });
      try {
        const answer = await request(hsts.getHttpServer() as App).get('/health');
        expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      } finally {
        await hsts.close();
      }
    });
  });

  describe('CORS is closed unless configured', () => {
    it('gives a preflight from an unlisted origin no Access-Control-Allow-Origin', async () => {
      const preflight = await request(http)
        .options('/api/changes')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
      const simple = await request(http).get('/health').set('Origin', 'https://evil.example');
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers a listed origin exactly (never *), and only it', async () => {
      const preflight = await request(http).options('/api/changes').set('Origin', CONSOLE).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(CONSOLE);
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
      expect(preflight.headers.vary).toMatch(/Origin/);
      const lookalike = await request(http).options('/api/changes').set('Origin', `${CONSOLE}.evil.example`).set('Access-Control-Request-Method', 'POST');
      expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('with CORS_ORIGINS unset, no origin is allowed at all', async () => {
      const closed = await startApiWith(database.url, taskQueue);
      try {
        const preflight = await request(closed.getHttpServer() as App).options('/api/changes').set('Origin', CONSOLE).set('Access-Control-Request-Method', 'GET');
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        await closed.close();
      }
    });
  });

  describe('errors reveal no internals', () => {
    it('a malformed JSON body is a 400 in the standard shape, without parser internals', async () => {
      const response = await request(http)
        .post('/api/changes')
        .set('Authorization', `Bearer ${await tokenFor(DEMO_USERS.requester)}`)
        .set('Content-Type', 'application/json')
        .send('{"title": "unterminated');
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/JSON/) });
      expect(JSON.stringify(response.body)).not.toMatch(STACK);
    });

    it('an invalid body is a 400 naming fields, with no stack or values echoed back', async () => {
      const response = await request(http).post('/api/changes').set('Authorization', `Bearer ${await tokenFor(DEMO_USERS.requester)}`).send({ title: 42, secretish: 'x' });
      expect(response.status).toBe(400);
      expect(Object.keys(response.body).sort()).toEqual(['details', 'error', 'message', 'statusCode']);
      expect(JSON.stringify(response.body)).not.toMatch(STACK);
    });

    it('a failure inside the server is a 500 saying "internal error": no SQL, no table names, no stack', async () => {
      const auditor = await tokenFor(DEMO_USERS.auditor);
      await request(http).get('/api/knowledge?q=payments').set('Authorization', `Bearer ${auditor}`).expect(200);
      await database.db.query('ALTER TABLE knowledge_article RENAME TO knowledge_article_moved');
      try {
        const response = await request(http).get('/api/knowledge?q=payments').set('Authorization', `Bearer ${auditor}`);
        expect(response.status).toBe(500);
        expect(response.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
        expect(response.text).not.toMatch(STACK);
        expect(response.text).not.toMatch(/knowledge_article/);
        expectSecurityHeaders(response);
      } finally {
        await database.db.query('ALTER TABLE knowledge_article_moved RENAME TO knowledge_article');
      }
    });
  });
});
