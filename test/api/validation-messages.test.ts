import type { NestExpressApplication } from '@nestjs/platform-express';
import { ROLES } from '@steward/identity';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestDatabase, startApi, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';

type Schema = { type?: string; $ref?: string; items?: Schema; enum?: unknown[]; properties?: Record<string, Schema>; required?: string[]; nullable?: boolean; allOf?: Schema[] };
type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> } };

/** A value of another JSON type than the schema asks for. */
function wrongTypeFor(schema: Schema): unknown {
  if (schema.enum) return { not: 'one of them' };
  switch (schema.type) {
    case 'string': return 12345;
    case 'integer':
    case 'number': return 'not a number';
    case 'boolean': return 'not a boolean';
    case 'array': return 'not an array';
    default: return 'not an object';
  }
}

/**
 * A type complaint says what the value must be ("must be a string", "must be one of ...", "must
 * be an ISO 8601 timestamp ..."), not how big it may be: messages about length, size or range
 * are what a wrong type must never get.
 */
const TYPE_COMPLAINT = /(:| )must be (?!shorter|longer|less|greater|at most|at least)|must not be null|should not be (null|undefined)/;
const SIZE_COMPLAINT = /shorter than|longer than|no more than|at least \d+ elements|must not be (less|greater) than/;

/**
 * Every field of every request body in the OpenAPI document, sent with a value of the wrong JSON
 * type: the answer is 400 and the message for that field names a type problem, never what a
 * length or pattern rule makes of the wrong type ("timeline must contain no more than 500
 * elements" for a string), and never a 500.
 */
describe('validation messages name the real problem', () => {
  let database: TestDatabase;
  let api: NestExpressApplication;
  let http: App;
  let document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase('validation_messages');
    api = await startApi(database.url, uniqueTaskQueue('validation-messages'));
    http = api.getHttpServer() as App;
    document = (await request(http).get('/docs-json').expect(200)).body;
    token = await tokenFor({ id: 'validator', name: 'Every Role', roles: [...ROLES], groups: ['cab', 'ecab', 'change-managers'] });
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema) return undefined;
    if (schema.$ref) return resolve(document.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  };

  it('answers 400 naming a type problem for each field of each body sent the wrong type', async () => {
    const cases: Array<{ route: string; field: string; status: number; message: string }> = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const body = resolve(operation.requestBody?.content?.['application/json']?.schema);
        if (!body?.properties) continue;
        // Ids of the right shape, so the body is what gets judged (none of them exists).
        const id = path.includes('/changes/') ? 'CHG-000001' : path.includes('/incidents/') ? 'INC-000001' : path.includes('/problems/') ? 'PRB-000001' : 'x-1';
        const url = path.replace(/\{id\}/g, id).replace(/\{[^}]+\}/g, 'x-1');
        for (const [field, raw] of Object.entries(body.properties)) {
          const schema = resolve(raw) ?? {};
          const response = await request(http)[method as 'post' | 'put' | 'patch'](url)
            .set('Authorization', `Bearer ${token}`)
            .send({ [field]: wrongTypeFor(schema) });
          const fieldMessage = String(response.body?.message ?? '')
            .split('; ')
            .find((m) => m === field || m.startsWith(`${field} `) || m.startsWith(`${field}:`) || m.startsWith(`${field}.`)) ?? '';
          cases.push({ route: `${method.toUpperCase()} ${path}`, field, status: response.status, message: fieldMessage || String(response.body?.message) });
        }
      }
    }
    expect(cases.length).toBeGreaterThan(60);
    const wrong = cases.filter((c) => c.status !== 400 || !TYPE_COMPLAINT.test(c.message) || SIZE_COMPLAINT.test(c.message));
    expect(wrong).toEqual([]);
  });

  it('refuses null for a field that is not nullable instead of failing at the database (PATCH /api/cis tags: null)', async () => {
    const admin = await tokenFor({ id: 'root', name: 'Admin', roles: ['admin'], groups: [] });
    await request(http)
      .post('/api/cis')
      .set('Authorization', `Bearer ${admin}`)
      .send({ key: 'app-nulls', name: 'Nulls', type: 'application', environment: 'staging', criticality: 3, ownerGroup: 'platform' })
      .expect(201);
    for (const field of ['tags', 'name', 'attributes', 'usersAffected', 'status']) {
      const response = await request(http).patch('/api/cis/app-nulls').set('Authorization', `Bearer ${admin}`).send({ [field]: null });
      expect([response.status, response.body.message]).toEqual([400, `${field} must not be null`]);
    }
    // A field the document declares nullable still takes null.
    const discovery = await request(http)
      .post('/api/cmdb/discovery')
      .set('Authorization', `Bearer ${admin}`)
      .send({ source: 'scanner', items: [{ key: 'app-nulls', version: null }] });
    expect(discovery.status).toBe(200);
  });
});
