import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEFAULT_INCIDENT_PROCESS, IncidentProcessOptions } from '@steward/config';
import { attachIncidentSignal, problemWorkflowDefinition, problemWorkflowId, type ProblemWorkflowInput } from '@steward/contracts';
import { StewardError } from '@steward/domain';
import { DEMO_USERS } from '@steward/identity';
import { AuditEventEntity, ChangeRequestEntity, IncidentEntity, IncidentOpeningService, ProblemEntity, seedDemoData, type OpenIncidentRequest } from '@steward/persistence';
import { IncidentLauncher, TemporalSettings, WorkflowLauncher } from '@steward/temporal';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createServer } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types';
import { changeRequestBody } from '../support/fixtures';
import { addService } from '../support/incidents';
import { createTestDatabase, startApi, temporalClient, temporalSettings, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';

/** A loopback port nothing listens on: a Temporal server that cannot be reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The number the next nextval() of a sequence will hand out, without taking it. */
async function nextNumber(database: TestDatabase, sequence: string): Promise<number> {
  const [row] = (await database.db.query(`SELECT last_value::int AS last, is_called FROM ${sequence}`)) as Array<{ last: number; is_called: boolean }>;
  return row.is_called ? row.last + 1 : row.last;
}

/**
 * The one launcher (record, start, undo) on the real dev server and PostgreSQL: the incident
 * opening that the API and the activities share, and the API's change and problem submissions
 * that use it. No worker polls the task queue: a started workflow simply waits, which is all a
 * launch is about; every workflow is terminated at the end.
 */
describe('workflow launcher', () => {
  let database: TestDatabase;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  let api: NestExpressApplication;
  let http: App;
  let unreachable: Connection;
  const taskQueue = uniqueTaskQueue('launcher');
  const started: string[] = [];
  const incidentProcess = Object.assign(new IncidentProcessOptions(), DEFAULT_INCIDENT_PROCESS);
  const launcherOn = (client: Client, startDeadlineMs?: number) => new WorkflowLauncher(client, new TemporalSettings(temporalSettings(taskQueue).address, 'default', taskQueue, startDeadlineMs));
  const incidentLauncher = (client: Client, startDeadlineMs?: number) =>
    new IncidentLauncher(database.db, new IncidentOpeningService(database.db), launcherOn(client, startDeadlineMs), client, incidentProcess);
  const incidentRow = (id: string) => database.db.getRepository(IncidentEntity).findOne({ where: { id } });
  const status = async (workflowId: string) => {
    try {
      return (await temporal.client.workflow.getHandle(workflowId).describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw error;
    }
  };
  const squat = async (workflowId: string) => {
    // Another installation's workflow under the id the next record will get.
    await temporal.client.workflow.start('someoneElsesWorkflow', { workflowId, taskQueue: uniqueTaskQueue('elsewhere'), args: [] });
    started.push(workflowId);
  };
  let service: string;
  const incident = (overrides: Partial<OpenIncidentRequest> = {}): OpenIncidentRequest => ({
    title: 'Checkout failing',
    description: 'HTTP 502 on /pay',
    service,
    impact: 3,
    urgency: 3,
    reportedBy: 'heidi',
    source: 'api',
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase('launcher');
    await seedDemoData(database.db);
    service = await addService(database.db, 'svc-launcher');
    temporal = await temporalClient();
    // Lazy: the first call, not the connection, meets the closed port.
    unreachable = await Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
    api = await startApi(database.url, taskQueue);
    http = api.getHttpServer() as App;
  });

  afterAll(async () => {
    for (const workflowId of started) await temporal.client.workflow.getHandle(workflowId).terminate('launcher test done').catch(() => undefined);
    await api?.close();
    await unreachable?.close();
    await temporal?.close();
    await database?.drop();
  });

  describe('opening an incident', () => {
    it('keeps the record and starts its workflow when the start succeeds', async () => {
      const opened = await incidentLauncher(temporal.client).open(incident());
      started.push(opened.workflowId);
      expect(opened).toEqual({ id: expect.stringMatching(/^INC-\d{6,}$/), priority: expect.any(String), major: expect.any(Boolean), workflowId: `incident-${opened.id}`, created: true });
      expect(await incidentRow(opened.id)).toMatchObject({ id: opened.id, workflowId: opened.workflowId });
      const description = await temporal.client.workflow.getHandle(opened.workflowId).describe();
      expect([description.type, description.status.name, description.taskQueue]).toEqual(['incidentWorkflow', 'RUNNING', taskQueue]);
    });

    it('undoes the record when the workflow id is taken (a conflict)', async () => {
      const id = `INC-${String(await nextNumber(database, 'incident_number_seq')).padStart(6, '0')}`;
      await squat(`incident-${id}`);
      const refusal = await incidentLauncher(temporal.client).open(incident()).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(StewardError);
      expect(refusal).toMatchObject({
        code: 'conflict',
        message: `workflow incident-${id} already exists on the Temporal server although ${id} is new: the database and Temporal belong to different installations`,
      });
      // The number was taken, and its row is gone again.
      expect(await nextNumber(database, 'incident_number_seq')).toBeGreaterThan(Number(id.slice(4)));
      expect(await incidentRow(id)).toBeNull();
    });

    it('undoes the record when the workflow engine cannot be reached, within the start deadline', async () => {
      const id = `INC-${String(await nextNumber(database, 'incident_number_seq')).padStart(6, '0')}`;
      const began = Date.now();
      const refusal = await incidentLauncher(new Client({ connection: unreachable, namespace: 'default' }), 3_000)
        .open(incident())
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(StewardError);
      expect(refusal).toMatchObject({ code: 'unavailable', message: expect.stringContaining(`the workflow engine did not start incident ${id}: `) });
      expect(Date.now() - began).toBeLessThan(15_000);
      expect(await incidentRow(id)).toBeNull();
      expect(await status(`incident-${id}`)).toBe('NOT_FOUND');
    });

    it('is idempotent on a repeated alert, and a repeat starts the workflow the first launch did not', async () => {
      const alert = incident({ source: 'alertmanager', alertFingerprint: `alertmanager:${Date.now()}` });
      // The row of an earlier delivery whose start never happened (a crash in between).
      const prepared = await new IncidentOpeningService(database.db).prepare(alert, incidentProcess);
      const workflowId = prepared.incident.workflowId;
      started.push(workflowId);
      expect(await status(workflowId)).toBe('NOT_FOUND');

      // A repeat that cannot reach the engine fails, and leaves the earlier row alone.
      const refusal = await incidentLauncher(new Client({ connection: unreachable, namespace: 'default' }), 3_000)
        .open(alert)
        .catch((error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'unavailable' });
      expect(await incidentRow(prepared.incident.id)).not.toBeNull();

      const healed = await incidentLauncher(temporal.client).open(alert);
      expect(healed).toMatchObject({ id: prepared.incident.id, created: false, workflowId });
      const run = (await temporal.client.workflow.getHandle(workflowId).describe()).runId;

      const again = await incidentLauncher(temporal.client).open(alert);
      expect(again).toMatchObject({ id: prepared.incident.id, created: false, workflowId });
      expect((await temporal.client.workflow.getHandle(workflowId).describe()).runId).toBe(run);
      expect(await database.db.getRepository(IncidentEntity).count({ where: { alertFingerprint: alert.alertFingerprint } })).toBe(1);
    });
  });

  describe('signal-with-start (a problem gathering incidents)', () => {
    it('starts the workflow with the first signal, signals the running one, and never starts an ended one again', async () => {
      const problemId = `PRB-LAUNCH-${Date.now()}`;
      const workflowId = problemWorkflowId(problemId);
      started.push(workflowId);
      const input: ProblemWorkflowInput = { problemId, title: 'Recurring 502s', settings: { observationMs: 60_000, fixPollMs: 60_000 } };
      const launcher = launcherOn(temporal.client);

      const first = await launcher.signalWithStart(problemWorkflowDefinition, { workflowId, input }, attachIncidentSignal, [
        { incidentId: 'INC-1', recurrence: true },
        { incidentId: 'INC-2', recurrence: true },
      ]);
      const second = await launcher.signalWithStart(problemWorkflowDefinition, { workflowId, input }, attachIncidentSignal, [{ incidentId: 'INC-3', recurrence: true }]);
      expect(first?.workflowId).toBe(workflowId);
      expect(second?.workflowId).toBe(workflowId);

      const handle = temporal.client.workflow.getHandle(workflowId);
      const history = await handle.fetchHistory();
      const starts = history.events?.filter((e) => e.workflowExecutionStartedEventAttributes) ?? [];
      const signals = history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === attachIncidentSignal.name) ?? [];
      expect(starts).toHaveLength(1);
      expect(starts[0].workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('problemWorkflow');
      expect(signals).toHaveLength(3);

      await handle.terminate('the problem was closed');
      const ended = await launcher.signalWithStart(problemWorkflowDefinition, { workflowId, input }, attachIncidentSignal, [{ incidentId: 'INC-4', recurrence: true }]);
      expect(ended).toBeNull();
      expect((await handle.describe()).status.name).toBe('TERMINATED');
    });
  });

  describe('submissions over HTTP', () => {
    const as = async (who: keyof typeof DEMO_USERS) => ({ Authorization: `Bearer ${await tokenFor(DEMO_USERS[who])}` });
    const auditActions = async (entityId: string) =>
      (await database.db.getRepository(AuditEventEntity).find({ where: { entityId }, order: { seq: 'ASC' } })).map((e) => e.action);

    it('a change keeps its row and its run when the start succeeds', async () => {
      const response = await request(http).post('/api/changes').set(await as('requester')).send(changeRequestBody()).expect(201);
      const id = response.body.id as string;
      started.push(response.body.workflowId as string);
      const description = await temporal.client.workflow.getHandle(`change-${id}`).describe();
      expect(description.type).toBe('changeWorkflow');
      expect(await database.db.getRepository(ChangeRequestEntity).findOne({ where: { id } })).toMatchObject({ state: 'submitted', workflowRunId: description.runId });
    });

    it('a change whose workflow id is taken is withdrawn: 409, no row, both facts in the audit log', async () => {
      const id = `CHG-${String(await nextNumber(database, 'change_request_number_seq')).padStart(6, '0')}`;
      await squat(`change-${id}`);
      const response = await request(http).post('/api/changes').set(await as('requester')).send(changeRequestBody()).expect(409);
      expect(response.body.message).toBe(`workflow change-${id} already exists on the Temporal server although ${id} is new: the database and Temporal belong to different installations`);
      expect(await database.db.getRepository(ChangeRequestEntity).findOne({ where: { id } })).toBeNull();
      expect(await auditActions(id)).toEqual(['change.submitted', 'change.withdrawn']);
    });

    it('a problem whose workflow id is taken is withdrawn: 409, no row, both facts in the audit log', async () => {
      const id = `PRB-${String(await nextNumber(database, 'problem_number_seq')).padStart(6, '0')}`;
      await squat(`problem-${id}`);
      const response = await request(http).post('/api/problems').set(await as('problemManager')).send({ title: 'Recurring 502s', description: 'Three this week' }).expect(409);
      expect(response.body.message).toBe(`workflow problem-${id} already exists on the Temporal server although ${id} is new: the database and Temporal belong to different installations`);
      expect(await database.db.getRepository(ProblemEntity).findOne({ where: { id } })).toBeNull();
      expect(await auditActions(id)).toEqual(['problem.opened', 'problem.withdrawn']);
    });

    it('a problem keeps its row when the start succeeds', async () => {
      const response = await request(http).post('/api/problems').set(await as('problemManager')).send({ title: 'Recurring 502s', description: 'Three this week' }).expect(201);
      started.push(response.body.workflowId as string);
      expect(await database.db.getRepository(ProblemEntity).findOne({ where: { id: response.body.id as string } })).toMatchObject({ state: 'new', workflowId: `problem-${response.body.id}` });
      expect(await status(response.body.workflowId as string)).toBe('RUNNING');
    });
  });
});
