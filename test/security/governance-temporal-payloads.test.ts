import type { INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { changeWorkflowId, decideSignal, decideUpdate, type SignedDecision } from '@steward/contracts';
import type { Principal } from '@steward/identity';
import { AuditEventEntity, ChangeAuthorizationEntity, ChangeEventEntity } from '@steward/persistence';
import { AuthorizationTokens, DecisionSigner, DecisionVerifier, StewardKeys } from '@steward/security';
import { resolveTemporalCli } from '@steward/temporal';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { execFile } from 'node:child_process';
import { KeyObject, createHmac, generateKeyPairSync, hkdfSync, createPrivateKey, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  TEST_DECISION_SIGNING_KEY,
  TEST_JWT_SECRET,
  TEST_PAYLOAD_CODEC_KEYS,
  TEST_WORKER_SECRET,
  createTestDatabase,
  eventually,
  startApi,
  startWorker,
  temporalClient,
  tokenFor,
  uniqueTaskQueue,
  type TestDatabase,
} from '../support/harness';
import { testEnv } from '../support/test-env';
import { startCountingTarget, type CountingTarget } from './support/counting-target';

const run = promisify(execFile);

/**
 * Someone with access to Temporal (its UI, its CLI, a worker of their own) reads histories and
 * sends messages. Payloads are encrypted, so histories reveal no plan, decision or token unless
 * read through Steward's codec endpoint with a bearer token of a role that may read them; and
 * no message they send can stand for a vote, since votes carry the API's Ed25519 signature,
 * whose private key the worker never holds.
 */
describe('Governance: what Temporal access reveals', () => {
  const marker = randomBytes(6).toString('hex');
  const ci = `app-codec-${marker}`;
  const requester: Principal = { id: `req-${marker}`, name: 'Rita Requester', roles: ['requester'], groups: ['team-codec'] };
  const owner: Principal = { id: `own-${marker}`, name: 'Otto Owner', roles: ['cab_member'], groups: [`owners-${marker}`] };
  const admin: Principal = { id: 'grace', name: 'Grace Admin', roles: ['admin'], groups: [] };
  const auditor: Principal = { id: 'frank', name: 'Frank Auditor', roles: ['auditor'], groups: [] };
  const uiOrigin = 'http://127.0.0.1:8233';
  const taskQueue = uniqueTaskQueue('governance-temporal');

  let database: TestDatabase;
  let target: CountingTarget;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let base: string;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let clear: Awaited<ReturnType<typeof temporalClient>>;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    [database, target] = await Promise.all([createTestDatabase('governance_temporal'), startCountingTarget()]);
    // A staging CI of criticality 4: policy normal-low, one approval from its owner group.
    await database.db.query(
      `INSERT INTO configuration_item (key, name, type, environment, criticality, owner_group, users_affected, version) VALUES ($1, $1, 'application', 'staging', 4, $2, 0, '1.0')`,
      [ci, `owners-${marker}`],
    );
    [worker, api] = await Promise.all([
      startWorker(database.url, taskQueue, { executorAllowedTargets: [target.hostPort] }),
      startApi(database.url, taskQueue, undefined, undefined, { temporalUiOrigin: uiOrigin }),
    ]);
    base = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
    [temporal, clear] = await Promise.all([temporalClient(), temporalClient({ payloadCodec: null })]);
    for (const [name, principal] of Object.entries({ requester, owner, admin, auditor })) tokens[name] = await tokenFor(principal);
    tokens.changeManager = await tokenFor({ id: 'dave', name: 'Dave', roles: ['change_manager'], groups: ['change-managers'] });
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await temporal?.close();
    await clear?.close();
    await target?.close();
    await database?.drop();
  });

  const call = async (method: string, path: string, as: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(as ? { Authorization: `Bearer ${tokens[as]}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  const getChange = async (id: string) => (await call('GET', `/api/changes/${id}`, 'requester')).body as { state: string; planHash: string };

  async function submit(path: string): Promise<{ id: string; planHash: string }> {
    const step = {
      id: 'deploy',
      name: 'Deploy',
      kind: 'automated',
      action: { executor: 'http', url: `${target.base}${path}/deploy`, method: 'POST' },
      rollback: { executor: 'http', url: `${target.base}${path}/rollback`, method: 'POST' },
      estimatedMinutes: 5,
    };
    const created = await call('POST', '/api/changes', 'requester', {
      title: `Codec change ${marker}`,
      description: 'what Temporal access reveals',
      type: 'normal',
      cis: [ci],
      justification: 'security test',
      plan: { steps: [step] },
      backoutPlan: 'Redeploy the previous release.',
      testEvidence: 'staging green',
    });
    expect(created.status).toBe(201);
    const id = created.body!.id as string;
    const change = await eventually(() => getChange(id), (c) => c.state === 'awaiting_approval');
    return { id, planHash: change.planHash };
  }

  /** `temporal workflow show` through the real CLI on the run's server, as JSON. */
  async function cliShow(workflowId: string, codec?: { endpoint: string; auth: string }): Promise<string> {
    const cli = resolveTemporalCli({ log: () => undefined });
    if (cli.type !== 'existing-path') throw new Error('the Temporal CLI is not built');
    // No --namespace: the CLI's default is `default`, and it then sends an empty X-Namespace header.
    const args = ['workflow', 'show', '--workflow-id', workflowId, '--address', testEnv('temporalAddress'), '--output', 'json'];
    if (codec) args.push('--codec-endpoint', codec.endpoint, '--codec-auth', codec.auth);
    const { stdout } = await run(cli.path, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return readable(withoutPatchMarkers(stdout));
  }

  /**
   * A `patched()` call leaves a marker and a `TemporalChangeVersion` search attribute, both written
   * by the SDK outside the data converter (search attributes are never encoded), carrying only the
   * patch's name, a constant of the workflow code. The check is that they hold nothing else; every
   * other payload must be encrypted.
   */
  function withoutPatchMarkers(json: string): string {
    // The patches of the change workflow (workflows/change/change-run.ts).
    const CHANGE_PATCHES = ['plan-authors-may-not-approve', 'one-activity-per-decision'];
    type Payload = { data?: string };
    type Event = {
      markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Payload[] }> };
      upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes?: { indexedFields?: Record<string, Payload> } };
    };
    const text = (payload: Payload) => JSON.parse(Buffer.from(payload.data ?? '', 'base64').toString('utf8')) as unknown;
    const history = JSON.parse(json) as { events: Event[] };
    const patchEvent = (e: Event) => {
      const marker = e.markerRecordedEventAttributes;
      if (marker) {
        expect(marker.markerName).toBe('core_patch');
        for (const payload of Object.values(marker.details ?? {}).flatMap((d) => d.payloads ?? [])) expect(CHANGE_PATCHES.map((id) => ({ id, deprecated: false }))).toContainEqual(text(payload));
        return true;
      }
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      if (fields) {
        expect(Object.keys(fields)).toEqual(['TemporalChangeVersion']);
        expect(CHANGE_PATCHES).toEqual(expect.arrayContaining(text(fields.TemporalChangeVersion) as string[]));
        return true;
      }
      return false;
    };
    return JSON.stringify({ ...history, events: history.events.filter((e) => !patchEvent(e)) }, null, 2);
  }

  /**
   * The JSON as printed, plus every payload's data and metadata base64-decoded, as anyone
   * reading the output would decode them: base64 alone hides nothing.
   */
  function readable(json: string): string {
    const decoded: string[] = [];
    const walk = (value: unknown, key: string, insideMetadata: boolean): void => {
      if (typeof value === 'string') {
        if ((key === 'data' || insideMetadata) && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) decoded.push(Buffer.from(value, 'base64').toString('utf8'));
        return;
      }
      if (Array.isArray(value)) for (const item of value) walk(item, key, insideMetadata);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k, insideMetadata || k === 'metadata');
    };
    walk(JSON.parse(json), '', false);
    return `${json}\n${decoded.join('\n')}`;
  }

  it('`temporal workflow show` shows no plan URL, decision comment, token or secret without the codec endpoint, and all of it decoded with the endpoint and a bearer token', async () => {
    const path = `/secret-plan-${marker}`;
    const comment = `decision comment ${marker}: go ahead`;
    const { id, planHash } = await submit(path);
    expect((await call('POST', `/api/changes/${id}/decisions`, 'owner', { decision: 'approve', comment, planHash })).status).toBe(200);
    await eventually(() => getChange(id), (c) => c.state === 'completed', 30_000);
    expect(target.count(path)).toBe(1);

    // The implementation token the gate issued, as the gate would issue it again.
    const authorization = await database.db.getRepository(ChangeAuthorizationEntity).findOneByOrFail({ changeId: id });
    const token = new AuthorizationTokens(new StewardKeys(TEST_WORKER_SECRET)).issue(
      { changeId: id, planHash: authorization.planHash, runId: authorization.runId, windowStart: authorization.windowStart.toISOString(), windowEnd: authorization.windowEnd.toISOString() },
      authorization.issuedAt,
      authorization.tokenId,
    ).token;
    const secrets = [TEST_JWT_SECRET, TEST_WORKER_SECRET, TEST_DECISION_SIGNING_KEY, TEST_PAYLOAD_CODEC_KEYS[0].key.toString('base64')];

    const raw = await cliShow(changeWorkflowId(id));
    expect(raw).toContain('WORKFLOW_EXECUTION_COMPLETED');
    // Every payload is marked as ours, and none is in clear JSON.
    expect(raw).toContain('binary/encrypted');
    expect(raw).not.toContain('json/plain');
    // The memo (title) and the inputs (CI, requester) too: nothing of the change but its id shows.
    for (const hidden of [path, target.base, comment, token, token.split('.')[1], planHash, owner.id, requester.id, `Codec change ${marker}`, ci, ...secrets]) expect(raw).not.toContain(hidden);

    const decoded = await cliShow(changeWorkflowId(id), { endpoint: `${base}/codec`, auth: `Bearer ${tokens.auditor}` });
    for (const shown of [path, comment, token, planHash, owner.id, `Codec change ${marker}`, ci]) expect(decoded).toContain(shown);
    for (const secret of secrets) expect(decoded).not.toContain(secret);
  });

  describe('the codec endpoint', () => {
    let encrypted: { metadata: Record<string, string>; data: string };
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify({ comment: 'hello' })).toString('base64') };

    beforeAll(async () => {
      const answer = await call('POST', '/codec/encode', 'admin', { payloads: [plain] });
      expect(answer.status).toBe(200);
      encrypted = (answer.body!.payloads as Array<typeof encrypted>)[0];
    });

    it('encrypts and decrypts in the remote codec protocol for admin, auditor and change manager', async () => {
      expect(Buffer.from(encrypted.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
      expect(Buffer.from(encrypted.metadata['encryption-key-id'], 'base64').toString()).toBe(TEST_PAYLOAD_CODEC_KEYS[0].id);
      for (const role of ['admin', 'auditor', 'changeManager']) {
        const answer = await call('POST', '/codec/decode', role, { payloads: [encrypted] }, { 'X-Namespace': 'default' });
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ payloads: [plain] });
      }
    });

    it('answers 401 without a bearer token and 403 for a requester or a CAB member', async () => {
      expect((await call('POST', '/codec/decode', undefined, { payloads: [encrypted] })).status).toBe(401);
      const requesterAnswer = await call('POST', '/codec/decode', 'requester', { payloads: [encrypted] });
      expect(requesterAnswer.status).toBe(403);
      expect(requesterAnswer.body!.message).toMatch(/admin, auditor, change_manager/);
      expect((await call('POST', '/codec/encode', 'owner', { payloads: [plain] })).status).toBe(403);
    });

    it('refuses another namespace, malformed bodies and payloads under an unknown key with 400', async () => {
      expect((await call('POST', '/codec/decode', 'admin', { payloads: [encrypted] }, { 'X-Namespace': 'someone-else' })).status).toBe(400);
      expect((await call('POST', '/codec/decode', 'admin', { payloads: 'all of them' })).status).toBe(400);
      expect((await call('POST', '/codec/decode', 'admin', { payloads: [{ metadata: { encoding: '***' }, data: '' }] })).status).toBe(400);
      const foreign = { ...encrypted, metadata: { ...encrypted.metadata, 'encryption-key-id': Buffer.from('retired-key').toString('base64') } };
      const answer = await call('POST', '/codec/decode', 'admin', { payloads: [foreign] });
      expect(answer.status).toBe(400);
      expect(answer.body!.message).toMatch(/key "retired-key", which is not among the configured payload codec keys/);
    });

    it('answers CORS for the configured Temporal UI origin only, preflight included', async () => {
      const preflight = await fetch(`${base}/codec/decode`, {
        method: 'OPTIONS',
        headers: { Origin: uiOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
      const fromUi = await call('POST', '/codec/decode', 'auditor', { payloads: [encrypted] }, { Origin: uiOrigin });
      expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiOrigin);

      const evil = 'http://evil.example';
      const evilPreflight = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { Origin: evil, 'Access-Control-Request-Method': 'POST' } });
      expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();
      const fromEvil = await call('POST', '/codec/decode', 'auditor', { payloads: [encrypted] }, { Origin: evil });
      expect(fromEvil.headers.get('access-control-allow-origin')).toBeNull();
      // CORS is the codec's only: the rest of the API answers no origin.
      const elsewhere = await call('GET', '/api/changes', 'auditor', undefined, { Origin: uiOrigin });
      expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('votes that did not come from the API', () => {
    const forgeries = (id: string, planHash: string) => {
      const payload = { changeId: id, planHash, approver: owner, decision: 'approve' as const, comment: 'forged', at: new Date().toISOString() };
      // Another Ed25519 key: well-formed, and not the API's.
      const otherKey = new DecisionSigner(generateKeyPairSync('ed25519').privateKey).sign(payload);
      // The HMAC signature earlier versions used, even made with the worker's own secret.
      const hmac = { ...payload, signature: createHmac('sha256', TEST_WORKER_SECRET).update(JSON.stringify(payload)).digest('hex') };
      return { otherKey, hmac };
    };

    async function expectRefused(id: string, path: string, refusalsBefore: number, expected: number): Promise<void> {
      await eventually(() => database.db.getRepository(ChangeEventEntity).countBy({ changeId: id, type: 'decision_refused' }), (n) => n >= refusalsBefore + expected);
      const audit = await database.db.getRepository(AuditEventEntity).findBy({ entityId: id, action: 'change.decision_refused' });
      expect(audit.length).toBeGreaterThanOrEqual(refusalsBefore + expected);
      expect(audit.map((a) => a.data.reason)).toContain('decision not signed by Steward');
      const change = await getChange(id);
      expect(change.state).toBe('awaiting_approval');
      expect(((await call('GET', `/api/changes/${id}`, 'requester')).body!.approvals as unknown[]).length).toBe(0);
      expect(target.count(path)).toBe(0);
    }

    it('a decision signed with another Ed25519 key, by update or signal, with or without the codec key, is refused and audited; nothing executes', async () => {
      const path = `/forged-${marker}`;
      const { id, planHash } = await submit(path);
      const { otherKey, hmac } = forgeries(id, planHash);

      // Through the codec, as a holder of the payload key would send it.
      const handle = temporal.client.workflow.getHandle(changeWorkflowId(id));
      const refused = await handle.executeUpdate(decideUpdate, { args: [otherKey] }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('forbidden');
      // In clear, as anyone with Temporal access but no payload key would send it.
      await clear.client.workflow.getHandle(changeWorkflowId(id)).signal(decideSignal, hmac);
      await handle.signal(decideSignal, { ...otherKey, approver: { ...owner, id: `mallory-${marker}` } });
      await expectRefused(id, path, 0, 3);
    });

    it('nothing the worker holds can make a decision signature the worker accepts', async () => {
      // The worker's container: no DecisionSigner, and no private key material anywhere in its providers.
      expect(() => worker.get(DecisionSigner, { strict: false })).toThrow();
      const seed = Buffer.from(TEST_DECISION_SIGNING_KEY, 'base64');
      const found: string[] = [];
      const visit = (value: unknown, where: string, depth: number, seen: Set<unknown>): void => {
        if (value === null || value === undefined || seen.has(value) || depth > 4) return;
        if (typeof value === 'string') {
          if (value.includes(TEST_DECISION_SIGNING_KEY)) found.push(`${where}: the signing key text`);
          return;
        }
        if (typeof value !== 'object' && typeof value !== 'function') return;
        seen.add(value);
        if (value instanceof KeyObject) {
          if (value.type === 'private') found.push(`${where}: a private KeyObject`);
          return;
        }
        if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
          if (Buffer.from(value).includes(seed)) found.push(`${where}: the signing seed`);
          return;
        }
        if (typeof value === 'function') return;
        for (const key of Object.getOwnPropertyNames(value)) {
          let child: unknown;
          try {
            child = (value as Record<string, unknown>)[key];
          } catch {
            continue;
          }
          visit(child, `${where}.${key}`, depth + 1, seen);
        }
      };
      const seen = new Set<unknown>();
      let providers = 0;
      for (const module of worker.get(ModulesContainer).values()) {
        for (const [token, wrapper] of module.providers) {
          if (!wrapper.instance) continue;
          providers += 1;
          visit(wrapper.instance, `${module.metatype?.name}/${typeof token === 'function' ? token.name : String(token)}`, 0, seen);
        }
      }
      expect(providers).toBeGreaterThan(20);
      expect(found).toEqual([]);

      // Every key the worker does hold, used every way it could be: none makes a valid vote.
      const path = `/worker-key-${marker}`;
      const { id, planHash } = await submit(path);
      const verifier = worker.get(DecisionVerifier, { strict: false });
      const workerKeys = worker.get(StewardKeys, { strict: false });
      const payload = { changeId: id, planHash, approver: owner, decision: 'approve' as const, comment: 'from the worker', at: new Date().toISOString() };
      const materials = [Buffer.from(TEST_WORKER_SECRET), workerKeys.key('authorization'), workerKeys.key('executor-request')];
      const attempts: SignedDecision[] = [];
      for (const material of materials) {
        const mac = createHmac('sha256', material).update(JSON.stringify(payload)).digest();
        attempts.push({ ...payload, signature: mac.toString('hex') });
        attempts.push({ ...payload, signature: Buffer.concat([mac, mac]).toString('base64url') });
        // An Ed25519 key made from the worker's material: well-formed, and still not the API's key.
        const derivedSeed = Buffer.from(hkdfSync('sha256', material, 'steward', 'steward/decision/v1', 32));
        const derived = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), derivedSeed]), format: 'der', type: 'pkcs8' });
        attempts.push(new DecisionSigner(derived).sign(payload));
      }
      for (const attempt of attempts) expect(verifier.verify(attempt)).toBe(false);
      const handle = temporal.client.workflow.getHandle(changeWorkflowId(id));
      for (const attempt of attempts.filter((_, i) => i % 3 === 2)) {
        const refused = await handle.executeUpdate(decideUpdate, { args: [attempt] }).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      }
      await expectRefused(id, path, 0, materials.length);
    });
  });
});
