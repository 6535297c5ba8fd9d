import type { NestExpressApplication } from '@nestjs/platform-express';
import { DEMO_USERS, type Principal } from '@steward/identity';
import { Notifier, type NotificationRequest } from '@steward/persistence';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TEST_CHANGE_PROCESS, createTestDatabase, startApi, tokenFor, uniqueTaskQueue, type TestDatabase } from '../support/harness';

const ursula: Principal = { id: 'ursula', name: 'Ursula Service Desk', roles: ['service_desk'], groups: ['service-desk', 'payments-team'] };
const sam: Principal = { id: 'sam', name: 'Sam Service Desk', roles: ['service_desk'], groups: ['service-desk'] };
const rita: Principal = { id: 'rita', name: 'Rita Resolver', roles: ['resolver'], groups: ['dba'] };

/** The in-app inbox over HTTP: per user, per group, read state per user. */
describe('notifications over HTTP', () => {
  let database: TestDatabase;
  let api: NestExpressApplication;
  let http: App;
  let notifier: Notifier;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    database = await createTestDatabase('notify_api');
    // A webhook nobody listens on: the API only writes the outbox, the worker delivers it.
    api = await startApi(database.url, uniqueTaskQueue('notify-api'), TEST_CHANGE_PROCESS, { notifications: { webhookUrl: 'http://127.0.0.1:9/hook' } });
    http = api.getHttpServer() as App;
    notifier = api.get(Notifier);
    for (const principal of [ursula, sam, rita, DEMO_USERS.admin, DEMO_USERS.auditor]) tokens[principal.id] = await tokenFor(principal);
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  const send = (recipients: string[], key: string, extra: Partial<NotificationRequest> = {}) =>
    notifier.notify({ recipients, kind: 'incident_escalated', message: `message ${key}`, dedupeKey: key, ...extra });
  const inbox = async (who: string, query = '') => (await request(http).get(`/api/notifications${query}`).set(as(who)).expect(200)).body as Array<Record<string, unknown>>;

  describe('listing', () => {
    beforeAll(async () => {
      await send(['user:ursula'], 'n1', { incidentId: 'INC-000001' });
      await send(['group:service-desk'], 'n2', { incidentId: 'INC-000002', problemId: 'PRB-000001' });
      await send(['user:rita', 'group:dba'], 'n3', { changeId: 'CHG-000123' });
      await send(['group:payments-team', 'user:alice'], 'n4');
    });

    it("shows a user their own and their groups' notifications, newest first, and no one else's", async () => {
      const ursulas = await inbox('ursula');
      expect(ursulas.map((n) => n.message)).toEqual(['message n4', 'message n2', 'message n1']);
      expect(ursulas[1]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        kind: 'incident_escalated',
        message: 'message n2',
        changeId: null,
        incidentId: 'INC-000002',
        problemId: 'PRB-000001',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        read: false,
      });

      expect((await inbox('sam')).map((n) => n.message)).toEqual(['message n2']);
      const ritas = await inbox('rita');
      expect(ritas.map((n) => [n.message, n.changeId])).toEqual([
        ['message n3', 'CHG-000123'],
        ['message n3', 'CHG-000123'],
      ]);
      expect(await inbox('frank')).toEqual([]);
    });

    it('limits the list', async () => {
      expect((await inbox('ursula', '?limit=2')).map((n) => n.message)).toEqual(['message n4', 'message n2']);
    });

    it('refuses a bad query naming every bad field', async () => {
      const response = await request(http).get('/api/notifications?unread=maybe&limit=0').set(as('ursula')).expect(400);
      const fields = (response.body.details as Array<{ field: string }>).map((d) => d.field).sort();
      expect(fields).toEqual(['limit', 'unread']);
    });

    it('needs a token', async () => {
      await request(http).get('/api/notifications').expect(401);
    });
  });

  describe('read state', () => {
    let groupNotification: string;
    let ritasNotification: string;

    beforeAll(async () => {
      await send(['group:service-desk'], 'r1', { incidentId: 'INC-000010' });
      groupNotification = (await inbox('sam')).find((n) => n.incidentId === 'INC-000010')!.id as string;
      await send(['user:rita'], 'r2');
      ritasNotification = (await inbox('rita')).find((n) => n.message === 'message r2')!.id as string;
    });

    it('marks a group notification read for the caller only', async () => {
      await request(http).post(`/api/notifications/${groupNotification}/read`).set(as('sam')).expect(204);
      // Marking twice is harmless.
      await request(http).post(`/api/notifications/${groupNotification}/read`).set(as('sam')).expect(204);

      expect((await inbox('sam')).find((n) => n.id === groupNotification)).toMatchObject({ read: true });
      expect((await inbox('sam', '?unread=true')).map((n) => n.id)).not.toContain(groupNotification);
      // Ursula is in the same group and has not read it.
      expect((await inbox('ursula')).find((n) => n.id === groupNotification)).toMatchObject({ read: false });
      expect((await inbox('ursula', '?unread=true')).map((n) => n.id)).toContain(groupNotification);
    });

    it("answers 404 for someone else's notification, an unknown one and a malformed id", async () => {
      await request(http).post(`/api/notifications/${ritasNotification}/read`).set(as('ursula')).expect(404);
      await request(http).post('/api/notifications/999999999/read').set(as('ursula')).expect(404);
      await request(http).post('/api/notifications/not-an-id/read').set(as('ursula')).expect(404);
      expect((await inbox('rita')).find((n) => n.id === ritasNotification)).toMatchObject({ read: false });
    });
  });

  describe('webhook deliveries', () => {
    it('shows the outbox to admins: one pending delivery per notify request, never sent by the API', async () => {
      await send(['user:rita', 'group:dba'], 'd1');
      const deliveries = (await request(http).get('/api/notifications/deliveries').set(as('grace')).expect(200)).body as Array<Record<string, unknown>>;
      expect(deliveries.filter((d) => d.notificationKey === 'd1')).toEqual([
        {
          id: expect.stringMatching(/^\d+$/),
          notificationKey: 'd1',
          state: 'pending',
          attempts: 0,
          nextAttemptAt: expect.any(String),
          lastError: null,
          deliveredAt: null,
          createdAt: expect.any(String),
        },
      ]);
    });

    it('is for admins only', async () => {
      await request(http).get('/api/notifications/deliveries').set(as('ursula')).expect(403);
      await request(http).get('/api/notifications/deliveries').set(as('frank')).expect(403);
    });
  });
});
