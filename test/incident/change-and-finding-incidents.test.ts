import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ChangeActivities } from '@steward/activities';
import type { Principal } from '@steward/identity';
import { ChangeFailureEntity, ChangeRequestEntity, ChangeTemplateEntity, ConfigurationItemEntity, IncidentEntity, insertRows } from '@steward/persistence';
import { MockActivityEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestDatabase, eventually, startApi, startWorker, TEST_CHANGE_PROCESS, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { eventsOf, TEST_INCIDENT_PROCESS } from '../support/incidents';

const requester: Principal = { id: 'alice', name: 'Alice', roles: ['requester'], groups: ['team-a'] };
const manager: Principal = { id: 'dave', name: 'Dave', roles: ['change_manager', 'cab_member'], groups: ['cab', 'change-managers'] };
const auditor: Principal = { id: 'frank', name: 'Frank', roles: ['auditor'], groups: [] };

const step = (id: string, outcome: 'succeed' | 'fail' = 'succeed') => ({
  id,
  name: `step ${id}`,
  kind: 'automated',
  action: { executor: 'simulated', outcome, durationMs: 20 },
  rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  estimatedMinutes: 5,
});

/**
 * Incidents other parts of Steward open: a change that ends rolled back or failed on a
 * production CI, and an unauthorized-change finding from discovery. Each is linked to its
 * source and opened once, whatever repeats.
 */
describe('incidents from failed changes and unauthorized-change findings', () => {
  let database: TestDatabase;
  let worker: INestApplicationContext;
  let api: NestExpressApplication;
  let http: App;
  const tokens = new Map<string, string>();
  const taskQueue = uniqueTaskQueue('change-finding-incidents');
  const processes = { incidentProcess: TEST_INCIDENT_PROCESS };

  beforeAll(async () => {
    database = await createTestDatabase('change_finding_incidents');
    const ci = (key: string, over: Partial<ConfigurationItemEntity>) =>
      Object.assign(new ConfigurationItemEntity(), { key, name: key, type: 'application', environment: 'production', criticality: 4, ownerGroup: 'team-a', status: 'active', version: '1.0', usersAffected: 0, attributes: {}, tags: [], lastDiscoveredAt: null, ...over });
    await insertRows(database.db.manager, ConfigurationItemEntity, [
      ci('app-staging-only', { environment: 'staging' }),
      ci('app-staging-first', { environment: 'staging' }),
      ci('app-prod-fragile', {}),
      ci('app-drifting', { version: '2.0.0', criticality: 3 }),
    ]);
    // Standard changes run without a vote: the failure is all the test waits for.
    const template = (templateId: string, ciKeys: string[]) =>
      Object.assign(new ChangeTemplateEntity(), {
        templateId,
        version: 1,
        name: templateId,
        ciKeys,
        steps: [step('s1'), step('s2', 'fail')],
        cabApproval: 'CAB 2026-11-02 item 9',
        approvedBy: 'dave',
        approvedAt: new Date('2026-11-02T10:00:00Z'),
        active: true,
      });
    await insertRows(database.db.manager, ChangeTemplateEntity, [
      template('deploy-prod-fragile', ['app-staging-first', 'app-prod-fragile']),
      template('deploy-staging-only', ['app-staging-only']),
    ]);
    [worker, api] = await Promise.all([startWorker(database.url, taskQueue, { processes }), startApi(database.url, taskQueue, TEST_CHANGE_PROCESS, processes)]);
    http = api.getHttpServer() as App;
    for (const p of [requester, manager, auditor]) tokens.set(p.id, await tokenFor(p));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await database?.drop();
  });

  const as = (p: Principal) => ({ Authorization: `Bearer ${tokens.get(p.id)}` });
  const submitFailing = async (templateId: string, cis: string[]): Promise<string> =>
    (
      await request(http)
        .post('/api/changes')
        .set(as(requester))
        .send({ title: `Deploy ${cis.join(', ')}`, description: 'd', type: 'standard', templateId, cis, justification: 'j', plan: { steps: [step('s1'), step('s2', 'fail')] }, backoutPlan: 'Redeploy the previous release, then verify health.', testEvidence: 'green' })
        .expect(201)
    ).body.id;
  const reach = (id: string, state: string) =>
    eventually(
      async () => (await request(http).get(`/api/changes/${id}`).set(as(manager)).expect(200)).body,
      (c) => c.state === state,
      30_000,
    );
  const failureOf = (changeId: string) => database.db.getRepository(ChangeFailureEntity).findOneByOrFail({ changeId });

  describe('a failed change', () => {
    it('opens one incident on its first production CI, linked both ways, when it rolls back', async () => {
      const changeId = await submitFailing('deploy-prod-fragile', ['app-staging-first', 'app-prod-fragile']);
      await reach(changeId, 'rolled_back');

      // Recorded before the change announces its end: linked by the time it is rolled back.
      const failure = await failureOf(changeId);
      expect(failure).toMatchObject({ endState: 'rolled_back', production: true, incidentId: expect.stringMatching(/^INC-\d{6,}$/) });
      const incidents = await database.db.getRepository(IncidentEntity).findBy({ changeId });
      expect(incidents).toHaveLength(1);
      expect(incidents[0]).toMatchObject({
        id: failure.incidentId,
        title: `Change ${changeId} ended rolled_back`,
        serviceKey: 'app-prod-fragile',
        source: 'failed_change',
        alertFingerprint: `change-failure:${changeId}`,
        reportedImpact: 2,
        urgency: 2,
        reportedBy: 'steward',
      });
      expect(incidents[0].description).toContain('Failed step: s2.');
      const opened = await eventually(() => eventsOf(database.db, failure.incidentId!), (events) => events.some((e) => e.type === 'opened'));
      expect(opened.find((e) => e.type === 'opened')?.data).toMatchObject({ source: 'failed_change', service: 'app-prod-fragile' });

      const timeline = (await request(http).get(`/api/changes/${changeId}/timeline`).set(as(manager)).expect(200)).body;
      expect(timeline.filter((e: { type: string }) => e.type === 'incident_opened').map((e: { data: unknown }) => e.data)).toEqual([{ incidentId: failure.incidentId }]);
      const audit = (await request(http).get('/api/audit').query({ entity: 'change', id: changeId }).set(as(auditor)).expect(200)).body;
      expect(audit.filter((e: { action: string }) => e.action === 'change.failure_incident_opened')).toHaveLength(1);
    });

    it('opens it once under a retry of the activity, even one that lost the link it had written', async () => {
      const changeId = await submitFailing('deploy-prod-fragile', ['app-prod-fragile']);
      await reach(changeId, 'rolled_back');
      const { incidentId } = await failureOf(changeId);
      expect(incidentId).not.toBeNull();

      // A retry after a crash between opening the incident and linking it.
      await database.db.getRepository(ChangeFailureEntity).update({ changeId }, { incidentId: null });
      const activities = worker.get(ChangeActivities);
      // Retried as the activity of the change's recorded run: the only caller it serves.
      const { workflowId, workflowRunId } = await database.db.getRepository(ChangeRequestEntity).findOneByOrFail({ id: changeId });
      const asRecordedRun = () => new MockActivityEnvironment({ workflowExecution: { workflowId, runId: workflowRunId! }, activityType: 'recordFailure' });
      await asRecordedRun().run(() => activities.recordFailure({ changeId, endState: 'rolled_back', reason: 'retried', failedStep: 's2' }));
      await asRecordedRun().run(() => activities.recordFailure({ changeId, endState: 'rolled_back', reason: 'retried again', failedStep: 's2' }));

      expect((await failureOf(changeId)).incidentId).toBe(incidentId);
      expect(await database.db.getRepository(IncidentEntity).countBy({ changeId })).toBe(1);
    });

    it('opens none when no CI of the change is in production', async () => {
      const changeId = await submitFailing('deploy-staging-only', ['app-staging-only']);
      await reach(changeId, 'rolled_back');
      expect(await failureOf(changeId)).toMatchObject({ production: false, incidentId: null });
      expect(await database.db.getRepository(IncidentEntity).countBy({ changeId })).toBe(0);
    });
  });

  describe('an unauthorized-change finding', () => {
    const snapshot = { source: 'scanner-eu', items: [{ key: 'app-drifting', version: '2.0.1' }, { key: 'app-unknown-to-cmdb', version: '0.1' }] };

    it('opens an incident linked to the finding on a known CI, once however often discovery reports it', async () => {
      const result = (await request(http).post('/api/cmdb/discovery').set(as(manager)).send(snapshot).expect(200)).body;
      expect(result.unauthorized.map((u: { key: string; field: string }) => `${u.key}:${u.field}`)).toEqual(['app-drifting:version', 'app-unknown-to-cmdb:ci']);
      const finding = result.unauthorized[0].findingId;
      // The unknown CI stays a finding only: there is no service to open an incident on.
      expect(result.incidents).toEqual([{ findingId: finding, ci: 'app-drifting', id: expect.stringMatching(/^INC-\d{6,}$/), created: true }]);

      const incident = await database.db.getRepository(IncidentEntity).findOneByOrFail({ id: result.incidents[0].id });
      expect(incident).toMatchObject({
        serviceKey: 'app-drifting',
        source: 'unauthorized_change',
        findingId: finding,
        alertFingerprint: `finding:${finding}`,
        reportedImpact: 2,
        urgency: 2,
        priority: 'P3',
        reportedBy: 'discovery:scanner-eu',
        title: 'Unauthorized change on app-drifting: version',
      });
      expect(incident.description).toContain('version = "2.0.1" where the CMDB records "2.0.0"');
      await eventually(() => eventsOf(database.db, incident.id), (events) => events.some((e) => e.type === 'opened'));

      const again = (await request(http).post('/api/cmdb/discovery').set(as(manager)).send(snapshot).expect(200)).body;
      expect(again.incidents).toEqual([{ findingId: finding, ci: 'app-drifting', id: incident.id, created: false }]);
      expect(await database.db.getRepository(IncidentEntity).countBy({ source: 'unauthorized_change' })).toBe(1);
      expect(await database.db.getRepository(IncidentEntity).countBy({ serviceKey: 'app-unknown-to-cmdb' })).toBe(0);
    });
  });
});
