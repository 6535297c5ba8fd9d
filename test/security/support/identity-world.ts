import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Principal, TokenVerifierOptions } from '@steward/identity';
import { AuditEventEntity, ConfigurationItemEntity, insertRows } from '@steward/persistence';
import type { AddressInfo } from 'node:net';
import { TEST_CHANGE_PROCESS, createTestDatabase, eventually, startApi, startWorker, tokenFor, uniqueTaskQueue, type TestDatabase } from '../../support/harness';
import { startCountingTarget, type CountingTarget } from './counting-target';

/** The people of the identity attacks. Admin Grace also sits on the CAB: admins are not exempt. */
export const PEOPLE = {
  requester: { id: 'alice', name: 'Alice', roles: ['requester', 'release_engineer', 'cab_member'], groups: ['team-a'] },
  owner: { id: 'olga', name: 'Olga Owner', roles: ['cab_member'], groups: ['team-a', 'team-b'] },
  engineer: { id: 'erin', name: 'Erin', roles: ['release_engineer'], groups: ['platform'] },
  manager: { id: 'dave', name: 'Dave', roles: ['change_manager', 'cab_member'], groups: ['cab', 'change-managers', 'team-a'] },
  admin: { id: 'grace', name: 'Grace Admin', roles: ['admin', 'cab_member', 'requester'], groups: ['team-a'] },
  auditor: { id: 'frank', name: 'Frank', roles: ['auditor'], groups: [] },
} satisfies Record<string, Principal>;

/** A manual confirmation, then a deployment step that calls the counting target. */
export function confirmThenDeploy(target: CountingTarget, minutes = 5): { steps: Array<Record<string, unknown>> } {
  return {
    steps: [
      { id: 'confirm', name: 'Confirm the maintenance banner is up', kind: 'manual', action: { instructions: 'Check the banner' }, rollback: { instructions: 'Take it down' }, estimatedMinutes: minutes },
      { id: 'deploy', name: 'Deploy', kind: 'automated', action: { executor: 'http', url: `${target.base}/deploy`, method: 'POST' }, rollback: { executor: 'http', url: `${target.base}/rollback`, method: 'POST' }, estimatedMinutes: minutes },
    ],
  };
}

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface IdentityWorld {
  database: TestDatabase;
  target: CountingTarget;
  api: NestExpressApplication;
  base: string;
  worker?: INestApplicationContext;
  taskQueue: string;
  /** An HTTP call with a bearer credential (a Principal is turned into an HS256 token). */
  call(method: string, path: string, auth?: Principal | string | null, body?: unknown): Promise<Answer>;
  /** POST /api/changes: a manual step first, then an automated step that calls the counting target. */
  submit(who: Principal | string, cis?: string[]): Promise<string>;
  view(id: string): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  reach(id: string, predicate: (change: any) => boolean): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A service account with one key, created by the admin over HTTP; answers the key. */
  apiKey(name: string, scopes: string[], cis?: string[]): Promise<{ key: string; keyId: string; accountId: string }>;
  audit(action: string, entityId?: string): Promise<AuditEventEntity[]>;
  close(): Promise<void>;
}

export async function startIdentityWorld(
  name: string,
  options: { worker?: boolean; auth?: TokenVerifierOptions; sodImplementer?: 'distinct' | 'any' } = {},
): Promise<IdentityWorld> {
  const database = await createTestDatabase(name);
  const ci = (key: string, ownerGroup: string) =>
    Object.assign(new ConfigurationItemEntity(), { key, name: key, type: 'application', environment: 'staging', criticality: 4, ownerGroup, status: 'active', version: '1.0', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null });
  await insertRows(database.db.manager, ConfigurationItemEntity, [ci('svc-a', 'team-a'), ci('svc-b', 'team-b')]);
  const target = await startCountingTarget();
  const taskQueue = uniqueTaskQueue(name);
  const [worker, api] = await Promise.all([
    options.worker ? startWorker(database.url, taskQueue, { executorAllowedTargets: [target.hostPort] }) : Promise.resolve(undefined),
    startApi(database.url, taskQueue, TEST_CHANGE_PROCESS, undefined, { auth: options.auth, sodImplementer: options.sodImplementer }),
  ]);
  const base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;

  const call = async (method: string, path: string, auth?: Principal | string | null, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = `Bearer ${typeof auth === 'string' ? auth : await tokenFor(auth)}`;
    const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (an ICS file, an event stream)
    }
    return { status: response.status, body: parsed };
  };
  const view = async (id: string) => (await call('GET', `/api/changes/${id}`, PEOPLE.manager)).body;

  return {
    database,
    target,
    api,
    base,
    worker,
    taskQueue,
    call,
    view,
    async submit(who, cis = ['svc-a']) {
      const answer = await call('POST', '/api/changes', who, {
        title: 'Identity attack target',
        description: 'A manual confirmation, then a deployment that calls the counting target.',
        type: 'normal',
        cis,
        justification: 'security test',
        plan: confirmThenDeploy(target),
        backoutPlan: 'Call the rollback endpoint of the target.',
        testEvidence: 'staging green',
      });
      if (answer.status !== 201) throw new Error(`submit: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.id as string;
    },
    reach: (id, predicate) => eventually(() => view(id), predicate, 30_000),
    async apiKey(accountName, scopes, cis) {
      const answer = await call('POST', '/api/service-accounts', PEOPLE.admin, { name: accountName, scopes, ...(cis ? { cis } : {}) });
      if (answer.status !== 201) throw new Error(`service account: ${answer.status} ${JSON.stringify(answer.body)}`);
      return { key: answer.body.key.key, keyId: answer.body.key.id, accountId: answer.body.id };
    },
    audit: (action, entityId) => database.db.getRepository(AuditEventEntity).find({ where: { action, ...(entityId ? { entityId } : {}) }, order: { seq: 'ASC' } }),
    async close() {
      await api.close();
      await worker?.close();
      await target.close();
      await database.drop();
    },
  };
}
