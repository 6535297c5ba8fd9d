import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ProblemActivities } from '@steward/activities';
import { problemStateQuery } from '@steward/contracts';
import type { Principal } from '@steward/identity';
import { ChangeTemplateEntity, ConfigurationItemEntity, IncidentEntity, ProblemEntity, insertRows } from '@steward/persistence';
import { randomInt } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { recordHistories } from '../support/histories';
import { createTestDatabase, eventually, startApi, startWorker, temporalClient, tokenFor, uniqueTaskQueue, TEST_CHANGE_PROCESS, type TestDatabase } from '../support/harness';

const manager: Principal = { id: 'pam', name: 'Pam Problem', roles: ['problem_manager'], groups: ['problem-managers'] };
const desk: Principal = { id: 'sid', name: 'Sid Desk', roles: ['service_desk'], groups: ['service-desk'] };
const auditor: Principal = { id: 'aud', name: 'Audrey', roles: ['auditor'], groups: [] };
const requester: Principal = { id: 'alice', name: 'Alice', roles: ['requester'], groups: ['team-a'] };

const PROBLEM_PROCESS = { recurrenceCount: 3, recurrenceWindowMs: 60 * 60_000, observationMs: 4_000, fixPollMs: 250 };

const step = (outcome: 'succeed' | 'fail') => ({
  id: 'apply',
  name: 'Apply the fix',
  kind: 'automated',
  action: { executor: 'simulated', outcome, durationMs: 20 },
  rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  estimatedMinutes: 5,
});

/**
 * Problem management end to end: incidents in PostgreSQL, the problem activities the incident
 * workflow calls, the problem workflow on the real dev server, and the HTTP API. Durations are
 * short (observation 4 s, fix poll 250 ms) so deadlines pass while the tests watch.
 */
describe('problem management', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  let activities: ProblemActivities;
  const tokens = new Map<string, string>();
  const taskQueue = uniqueTaskQueue('problem');
  let incidentNumber = randomInt(100_000, 900_000);
  /** Saves the workflow's history for the replay test (with STEWARD_RECORD_HISTORIES=1). */
  const keepHistory = async (name: string, problemId: string) => {
    if (process.env.STEWARD_RECORD_HISTORIES !== '1') return;
    const temporal = await temporalClient();
    try {
      await recordHistories(temporal.client, { [name]: `problem-${problemId}` });
    } finally {
      await temporal.close();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('problem');
    const ci = (key: string) =>
      Object.assign(new ConfigurationItemEntity(), { key, name: key, type: 'application', environment: 'staging', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1.0', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null });
    await insertRows(database.db.manager, ConfigurationItemEntity, [ci('app-fixable'), Object.assign(ci('app-windowed'), { tags: ['windowed'] })]);
    // app-windowed may only change on 1 January at 03:00 UTC: a fix to it waits for its window.
    await database.db.query(
      `INSERT INTO maintenance_window (name, rrule, duration_minutes, timezone, scope_tags, created_by) VALUES ('New year', 'DTSTART:20260101T030000' || chr(10) || 'RRULE:FREQ=YEARLY', 60, 'UTC', '{windowed}', 'test')`,
    );
    const template = (templateId: string, outcome: 'succeed' | 'fail', ciKey = 'app-fixable') =>
      Object.assign(new ChangeTemplateEntity(), {
        templateId,
        version: 1,
        name: templateId,
        ciKeys: [ciKey],
        steps: [step(outcome)],
        cabApproval: 'CAB 2026-11-02 item 9',
        approvedBy: 'dave',
        approvedAt: new Date('2026-11-02T10:00:00Z'),
        active: true,
      });
    await insertRows(database.db.manager, ChangeTemplateEntity, [template('fix-ok', 'succeed'), template('fix-fails', 'fail'), template('fix-windowed', 'succeed', 'app-windowed')]);
    const processes = { problemProcess: PROBLEM_PROCESS };
    [worker, api] = await Promise.all([startWorker(database.url, taskQueue, { processes }), startApi(database.url, taskQueue, TEST_CHANGE_PROCESS, processes)]);
    http = api.getHttpServer() as App;
    activities = worker.get(ProblemActivities, { strict: false });
    for (const p of [manager, desk, auditor, requester]) tokens.set(p.id, await tokenFor(p));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await database?.drop();
  });

  const as = (p: Principal) => ({ Authorization: `Bearer ${tokens.get(p.id)}` });
  const view = async (id: string) => (await request(http).get(`/api/problems/${id}`).set(as(auditor)).expect(200)).body;
  const reach = (id: string, accept: (p: any) => boolean, timeoutMs = 20_000) => eventually(() => view(id), accept, timeoutMs);
  const post = (path: string, who: Principal, body: Record<string, unknown> = {}) => request(http).post(path).set(as(who)).send(body);

  /** An incident row as the incident workflow's opening writes it (that workflow is not under test here). */
  async function incident(service: string, category: string | null, over: Partial<IncidentEntity> = {}): Promise<string> {
    incidentNumber += 1;
    const id = `INC-${String(incidentNumber).padStart(6, '0')}`;
    await insertRows(database.db.manager, IncidentEntity, [
      Object.assign(new IncidentEntity(), {
        id,
        number: incidentNumber,
        title: `${service} ${category ?? 'trouble'}`,
        description: 'Customers report errors.',
        serviceKey: service,
        category,
        reportedImpact: 2,
        impact: 2,
        urgency: 2,
        priority: 'P3',
        major: false,
        classification: { impact: 2, urgency: 2, priority: 'P3' },
        state: 'new',
        source: 'api',
        reportedBy: 'sid',
        callerVip: false,
        commander: null,
        resolvers: [],
        escalationPolicyId: 'default',
        escalationPolicyVersion: 1,
        escalationLevel: 0,
        alertFingerprint: null,
        changeId: null,
        findingId: null,
        problemId: null,
        resolution: null,
        review: null,
        workflowId: `incident-${id}`,
        openedAt: new Date(),
        acknowledgedAt: null,
        resolvedAt: null,
        closedAt: null,
        ...over,
      }),
    ]);
    return id;
  }

  async function logProblem(incidents: string[] = []): Promise<string> {
    const res = await post('/api/problems', manager, { title: 'Checkout times out under load', description: 'Timeouts at peak.', incidents }).expect(201);
    expect(res.body).toMatchObject({ state: 'new', workflowId: `problem-${res.body.id}` });
    return res.body.id;
  }

  /** new -> investigating with a root cause: ready to become a known error or take a fix. */
  async function diagnose(id: string): Promise<void> {
    await post(`/api/problems/${id}/investigate`, manager, { owner: 'pam', rcaMethod: '5 whys' }).expect(200);
    await post(`/api/problems/${id}/root-cause`, manager, { findings: 'Pool exhausted at peak.', rootCause: 'The retry path keeps its connection while it backs off.' }).expect(200);
  }

  async function fixChange(templateId: 'fix-ok' | 'fix-fails' | 'fix-windowed'): Promise<string> {
    const res = await post('/api/changes', requester, {
      title: `Fix via ${templateId}`,
      description: 'Release the connection before backing off.',
      type: 'standard',
      templateId,
      cis: [templateId === 'fix-windowed' ? 'app-windowed' : 'app-fixable'],
      justification: 'Problem fix.',
      plan: { steps: [step(templateId === 'fix-fails' ? 'fail' : 'succeed')] },
      backoutPlan: 'Redeploy the previous release from the artifact store.',
      testEvidence: 'staging green',
    }).expect(201);
    return res.body.id;
  }

  const problemsWithTrigger = async (openTrigger: string) => database.db.getRepository(ProblemEntity).find({ where: { openTrigger } });

  describe('opening problems from incidents', () => {
    it('opens one problem on the N-th incident of a signature, even when they arrive together, and attaches later ones', async () => {
      const service = `svc-${randomInt(1e6)}`;
      const first = await incident(service, 'timeout');
      expect(await activities.recordIncidentOccurrence({ incidentId: first })).toEqual({ problemId: null });
      const racing = [await incident(service, 'timeout'), await incident(service, 'timeout'), await incident(service, 'timeout')];
      const results = await Promise.all(racing.map((incidentId) => activities.recordIncidentOccurrence({ incidentId })));
      const ids = new Set(results.map((r) => r.problemId));
      expect(ids.size).toBe(1);
      const [problemId] = [...ids] as string[];
      expect(problemId).toMatch(/^PRB-\d{6,}$/);
      expect(await problemsWithTrigger(`signature:${service}|timeout`)).toHaveLength(1);

      const problem = await reach(problemId, (p) => p.incidents.length === 4);
      expect(problem).toMatchObject({ state: 'new', signature: `${service}|timeout`, trigger: { kind: 'recurrence', signature: `${service}|timeout` } });
      expect(problem.incidents.map((i: { incidentId: string }) => i.incidentId).sort()).toEqual([first, ...racing].sort());

      const later = await incident(service, 'timeout');
      expect(await activities.recordIncidentOccurrence({ incidentId: later })).toEqual({ problemId });
      await reach(problemId, (p) => p.incidents.some((i: { incidentId: string; recurrence: boolean }) => i.incidentId === later && i.recurrence));
      const linked = await database.db.getRepository(IncidentEntity).findOneByOrFail({ id: later });
      expect(linked.problemId).toBe(problemId);
      expect(await database.db.getRepository(ProblemEntity).countBy({ signature: `${service}|timeout` })).toBe(1);
    });

    it('matches no signature for incidents without a category', async () => {
      const service = `svc-${randomInt(1e6)}`;
      for (let i = 0; i < 4; i += 1) {
        expect(await activities.recordIncidentOccurrence({ incidentId: await incident(service, null) })).toEqual({ problemId: null });
      }
    });

    it('opens one problem for a resolved major incident, however often it is asked, and hands it the review actions', async () => {
      const id = await incident(`svc-${randomInt(1e6)}`, 'outage', { priority: 'P1', major: true, state: 'resolved' });
      const [a, b] = await Promise.all([activities.openProblemForMajorIncident({ incidentId: id }), activities.openProblemForMajorIncident({ incidentId: id })]);
      expect(a.problemId).toBe(b.problemId);
      expect((await activities.openProblemForMajorIncident({ incidentId: id })).problemId).toBe(a.problemId);
      expect(await problemsWithTrigger(`incident:${id}`)).toHaveLength(1);
      expect((await database.db.getRepository(IncidentEntity).findOneByOrFail({ id })).problemId).toBe(a.problemId);

      await activities.recordReviewActions({ incidentId: id, actions: [{ title: 'Alert on pool saturation', owner: 'olga', dueDate: '2099-01-01T00:00:00Z' }] });
      // A repeated hand-over (a retried activity) adds nothing.
      await activities.recordReviewActions({ incidentId: id, actions: [{ title: 'Alert on pool saturation', owner: 'olga', dueDate: '2099-01-01T00:00:00Z' }] });
      const problem = await reach(a.problemId, (p) => p.actions.length > 0);
      expect(problem).toMatchObject({ trigger: { kind: 'major_incident', incidentId: id, priority: 'P1' }, incidents: [{ incidentId: id, recurrence: false }] });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await view(a.problemId)).actions).toEqual([expect.objectContaining({ title: 'Alert on pool saturation', owner: 'olga', state: 'open', incidentId: id })]);
    });

    it('keeps review actions that no open problem can take in the audit log, never failing the incident', async () => {
      const id = await incident(`svc-${randomInt(1e6)}`, null);
      await expect(activities.recordReviewActions({ incidentId: id, actions: [{ title: 'Document the runbook', owner: 'olga', dueDate: '2099-01-01' }] })).resolves.toBeUndefined();
      const [entry] = (await database.db.query(`SELECT data FROM audit_event WHERE entity = 'incident' AND entity_id = $1 AND action = 'problem.review_actions_unplaced'`, [id])) as Array<{ data: any }>;
      expect(entry.data).toEqual({ problemId: null, actions: [{ title: 'Document the runbook', owner: 'olga', dueDate: '2099-01-01' }] });
    });
  });

  describe('waiting on the fix change', () => {
    it('resolves when the fix change completes, watches for recurrence, then closes on its own', async () => {
      const id = await logProblem();
      await diagnose(id);
      const changeId = await fixChange('fix-ok');
      const linked = (await post(`/api/problems/${id}/fix`, manager, { changeId }).expect(200)).body;
      expect(linked).toMatchObject({ fixChangeId: changeId });
      expect(['fix_in_progress', 'resolved', 'observation']).toContain(linked.state);
      const watched = await reach(id, (p) => p.state === 'observation');
      expect(watched.resolvedAt).not.toBeNull();
      expect(Date.parse(watched.observationUntil)).toBeGreaterThan(Date.now());
      const closed = await reach(id, (p) => p.state === 'closed', 20_000);
      expect(closed.closedAt).not.toBeNull();
      const types = (await request(http).get(`/api/problems/${id}/timeline`).set(as(auditor)).expect(200)).body.map((e: { type: string }) => e.type);
      expect(types).toEqual(['opened', 'investigating', 'root_cause_recorded', 'fix_in_progress', 'resolved', 'observation', 'closed']);
      await post(`/api/problems/${id}/close`, manager).expect(409);
      await keepHistory('problem-fixed-observed-closed', id);
    });

    it('returns to investigating, with the reason, when the fix change rolls back', async () => {
      const id = await logProblem();
      await diagnose(id);
      const changeId = await fixChange('fix-fails');
      await post(`/api/problems/${id}/fix`, manager, { changeId }).expect(200);
      const back = await reach(id, (p) => p.state === 'investigating' && p.reopenReason !== null);
      expect(back.reopenReason).toBe(`fix change ${changeId} ended rolled_back`);
      expect(back.fixChangeId).toBeNull();
      const change = (await request(http).get(`/api/changes/${changeId}`).set(as(auditor)).expect(200)).body;
      expect(change.state).toBe('rolled_back');
      await keepHistory('problem-fix-rolled-back', id);
    });

    it('waits while the fix change waits for its window, and returns to investigating when it is cancelled', async () => {
      const id = await logProblem();
      await diagnose(id);
      const changeId = await fixChange('fix-windowed');
      await post(`/api/problems/${id}/fix`, manager, { changeId }).expect(200);
      await eventually(async () => (await request(http).get(`/api/changes/${changeId}`).set(as(auditor)).expect(200)).body.state, (state) => state === 'scheduled');
      // Several polls go by: the change has not ended, so neither has the wait.
      await new Promise((resolve) => setTimeout(resolve, PROBLEM_PROCESS.fixPollMs * 6));
      expect((await view(id)).state).toBe('fix_in_progress');
      await post(`/api/changes/${changeId}/cancel`, requester, { reason: 'A better fix is coming.' }).expect(200);
      const back = await reach(id, (p) => p.state === 'investigating');
      expect(back.reopenReason).toBe(`fix change ${changeId} ended cancelled`);
    });

    it('reopens on a recurrence during observation', async () => {
      const service = `svc-${randomInt(1e6)}`;
      const incidents = [await incident(service, 'disk'), await incident(service, 'disk'), await incident(service, 'disk')];
      let problemId: string | null = null;
      for (const incidentId of incidents) problemId = (await activities.recordIncidentOccurrence({ incidentId })).problemId;
      expect(problemId).not.toBeNull();
      const id = problemId!;
      await diagnose(id);
      await post(`/api/problems/${id}/fix`, manager, { changeId: await fixChange('fix-ok') }).expect(200);
      await reach(id, (p) => p.state === 'observation');

      const recurrence = await incident(service, 'disk');
      expect(await activities.recordIncidentOccurrence({ incidentId: recurrence })).toEqual({ problemId: id });
      const reopened = await reach(id, (p) => p.state === 'investigating');
      expect(reopened.reopenReason).toBe(`incident ${recurrence} recurred during observation`);
      expect(reopened.observationUntil).toBeNull();
      // It stays open: observation, and with it the automatic close, is over.
      await new Promise((resolve) => setTimeout(resolve, PROBLEM_PROCESS.observationMs + 500));
      expect((await view(id)).state).toBe('investigating');
      await keepHistory('problem-reopened-on-recurrence', id);
    });
  });

  describe('review actions and closure', () => {
    it('escalates an overdue action once, and refuses to close while it is open', async () => {
      const incidentId = await incident(`svc-${randomInt(1e6)}`, 'latency');
      const id = await logProblem([incidentId]);
      await eventually(() => database.db.getRepository(IncidentEntity).findOneByOrFail({ id: incidentId }), (i) => i.problemId === id);
      const dueDate = new Date(Date.now() + 1_500).toISOString();
      await activities.recordReviewActions({ incidentId, actions: [{ title: 'Add a pool saturation alert', owner: 'olga', dueDate }] });
      const escalated = await reach(id, (p) => p.actions[0]?.escalatedAt);
      const action = escalated.actions[0];
      expect(Date.parse(action.escalatedAt)).toBeGreaterThanOrEqual(Date.parse(dueDate));

      const notified = (await database.db.query(`SELECT recipient FROM notification WHERE kind = 'problem_action_overdue' AND message LIKE $1 ORDER BY recipient`, [`%${id}%`])) as Array<{ recipient: string }>;
      expect(notified.map((n) => n.recipient)).toEqual(['group:problem-managers', 'user:olga']);
      const timeline = await eventually(
        async () => (await request(http).get(`/api/problems/${id}/timeline`).set(as(auditor)).expect(200)).body,
        (entries: Array<{ type: string }>) => entries.some((e) => e.type === 'action_overdue'),
      );
      expect(timeline.filter((e: { type: string }) => e.type === 'action_overdue')).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ actionId: action.id, owner: 'olga' }) }),
      ]);

      await diagnose(id);
      const known = await post(`/api/problems/${id}/known-error`, manager, { workaround: 'Recycle the payments pods.' }).expect(200);
      expect(known.body.state).toBe('known_error');
      const refused = await post(`/api/problems/${id}/close`, manager).expect(409);
      expect(refused.body.message).toContain(`${action.id} "Add a pool saturation alert" (olga`);

      await post(`/api/problems/${id}/actions/999999/complete`, manager).expect(404);
      const done = await post(`/api/problems/${id}/actions/${action.id}/complete`, manager).expect(200);
      expect(done.body.actions[0]).toMatchObject({ state: 'done', doneBy: 'pam' });
      await post(`/api/problems/${id}/actions/${action.id}/complete`, manager).expect(409);
      const closed = await post(`/api/problems/${id}/close`, manager).expect(200);
      expect(closed.body.state).toBe('closed');
      // Escalated once: still two notifications.
      const after = (await database.db.query(`SELECT count(*)::int AS n FROM notification WHERE kind = 'problem_action_overdue' AND message LIKE $1`, [`%${id}%`])) as Array<{ n: number }>;
      expect(after[0].n).toBe(2);
      await keepHistory('problem-action-overdue-then-closed', id);
    });
  });

  describe('known errors and the knowledge base', () => {
    it('publishes the workaround as an article that full-text search finds, best match first', async () => {
      const id = await logProblem();
      await diagnose(id);
      const known = (await post(`/api/problems/${id}/known-error`, manager, { workaround: 'Flush the zeppelin cache, then restart the gateway.', title: 'Gateway stalls: flush the zeppelin cache' }).expect(200)).body;
      expect(known).toMatchObject({ state: 'known_error', workaround: 'Flush the zeppelin cache, then restart the gateway.' });
      expect(known.knownErrorArticleId).toMatch(/^KB-\d{6,}$/);

      await post('/api/knowledge', desk, { title: 'Printer queue', body: 'Mentions zeppelin once, in passing.' }).expect(201);
      const hits = (await request(http).get('/api/knowledge').query({ q: 'zeppelin caches' }).set(as(auditor)).expect(200)).body;
      expect(hits[0]).toMatchObject({ id: known.knownErrorArticleId, kind: 'known_error', problemId: id, title: 'Gateway stalls: flush the zeppelin cache' });
      expect(hits[0].body).toContain('Workaround: Flush the zeppelin cache');
      expect(hits[0].rank).toBeGreaterThan(0);
      expect((await request(http).get('/api/knowledge').query({ q: 'zeppelin -gateway' }).set(as(auditor)).expect(200)).body.map((h: { id: string }) => h.id)).not.toContain(known.knownErrorArticleId);
      expect((await request(http).get('/api/knowledge').query({ q: 'nonexistentword' }).set(as(auditor)).expect(200)).body).toEqual([]);

      const latest = (await request(http).get('/api/knowledge').set(as(requester)).expect(200)).body;
      expect(latest[0].title).toBe('Printer queue');
      const article = (await request(http).get(`/api/knowledge/${known.knownErrorArticleId}`).set(as(requester)).expect(200)).body;
      expect(article.problemId).toBe(id);
      await request(http).get('/api/knowledge/KB-999999').set(as(requester)).expect(404);
      await request(http).get('/api/knowledge/nope').set(as(requester)).expect(404);
    });
  });

  describe('the HTTP contract', () => {
    it('names every bad field with 400', async () => {
      const res = await post('/api/problems', manager, { incidents: ['INC-1', 'bogus'], extra: true }).expect(400);
      for (const field of ['title', 'description', 'incidents', 'extra']) expect(res.body.message).toContain(field);
      const unknown = await post('/api/problems', manager, { title: 't', description: 'd', incidents: ['INC-999999'] }).expect(400);
      expect(unknown.body.message).toContain('INC-999999');

      const id = await logProblem();
      const investigate = await post(`/api/problems/${id}/investigate`, manager, {}).expect(400);
      expect(investigate.body.message).toMatch(/owner[\s\S]*rcaMethod/);
      await post(`/api/problems/${id}/root-cause`, manager, { findings: '' }).expect(400);
      await post(`/api/problems/${id}/fix`, manager, { changeId: 'not-a-change' }).expect(400);
      const fix = await post(`/api/problems/${id}/fix`, manager, { changeId: 'CHG-999999' }).expect(400);
      expect(fix.body.message).toContain('unknown change CHG-999999');
      await post('/api/knowledge', desk, { title: '' }).expect(400);
      await request(http).get('/api/problems').query({ state: 'bogus' }).set(as(auditor)).expect(400);
    });

    it('refuses illegal transitions with 409 and unknown problems with 404', async () => {
      const id = await logProblem();
      const early = await post(`/api/problems/${id}/root-cause`, manager, { rcaMethod: 'fishbone', findings: 'f', rootCause: 'r' }).expect(409);
      expect(early.body.message).toContain('is new');
      await post(`/api/problems/${id}/known-error`, manager, { workaround: 'w' }).expect(409);
      await post(`/api/problems/${id}/close`, manager).expect(409);
      await post(`/api/problems/${id}/investigate`, manager, { owner: 'pam', rcaMethod: 'fishbone' }).expect(200);
      const noCause = await post(`/api/problems/${id}/known-error`, manager, { workaround: 'w' }).expect(409);
      expect(noCause.body.message).toContain('root cause');
      await request(http).get('/api/problems/PRB-999999').set(as(auditor)).expect(404);
      await request(http).get('/api/problems/nope').set(as(auditor)).expect(404);
      await post('/api/problems/PRB-999999/close', manager).expect(404);

      const temporal = await temporalClient();
      try {
        const live = await temporal.client.workflow.getHandle(`problem-${id}`).query(problemStateQuery);
        expect(live).toMatchObject({ problemId: id, state: 'investigating', owner: 'pam', rcaMethod: 'fishbone' });
      } finally {
        await temporal.close();
      }
    });

    it('lets everyone read, and only problem managers (and admins) act', async () => {
      const id = await logProblem();
      await request(http).get(`/api/problems/${id}`).expect(401);
      await post('/api/problems', auditor, { title: 't', description: 'd' }).expect(403);
      await post('/api/problems', desk, { title: 't', description: 'd' }).expect(403);
      await post(`/api/problems/${id}/investigate`, auditor, { owner: 'x', rcaMethod: 'y' }).expect(403);
      await post(`/api/problems/${id}/close`, requester).expect(403);
      await post('/api/knowledge', auditor, { title: 't', body: 'b' }).expect(403);
      await post('/api/knowledge', requester, { title: 't', body: 'b' }).expect(403);
      const list = (await request(http).get('/api/problems').set(as(requester)).expect(200)).body;
      expect(list.items.map((p: { id: string }) => p.id)).toContain(id);
      expect((await request(http).get('/api/problems').query({ state: 'closed' }).set(as(auditor)).expect(200)).body.items.every((p: { state: string }) => p.state === 'closed')).toBe(true);
    });
  });
});
