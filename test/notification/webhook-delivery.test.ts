import type { INestApplicationContext } from '@nestjs/common';
import { NotificationEntity, Notifier, WebhookDeliveryEntity } from '@steward/persistence';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, eventually, startWorker, uniqueTaskQueue, type TestDatabase } from '../support/harness';

interface Received {
  at: number;
  contentType: string | undefined;
  body: Record<string, unknown>;
  status: number;
}

/**
 * A real chat webhook on a loopback port. `answer` decides each response from the payload and
 * how often that payload was seen before; `null` means never answer (a hung service).
 */
async function startWebhook(answer: (body: Record<string, unknown>, seenBefore: number) => number | null) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const seenBefore = received.filter((r) => r.body.message === body.message).length;
      const status = answer(body, seenBefore);
      received.push({ at: Date.now(), contentType: req.headers['content-type'], body, status: status ?? 0 });
      if (status !== null) res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? 'try again later' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const deliveryOf = (database: TestDatabase, key: string) => database.db.getRepository(WebhookDeliveryEntity).findOneByOrFail({ notificationKey: key });

describe('webhook delivery from the worker', () => {
  describe('a webhook that fails twice, then accepts', () => {
    let database: TestDatabase;
    let worker: INestApplicationContext;
    let webhook: Awaited<ReturnType<typeof startWebhook>>;

    beforeAll(async () => {
      database = await createTestDatabase('notify_webhook');
      webhook = await startWebhook((body, seenBefore) => (body.kind === 'flaky_test' && seenBefore < 2 ? 503 : 200));
      worker = await startWorker(database.url, uniqueTaskQueue('notify-webhook'), {
        processes: { notifications: { webhookUrl: webhook.url, dispatchPollMs: 50 } },
      });
    });

    afterAll(async () => {
      await worker?.close();
      await webhook?.close();
      await database?.drop();
    });

    it('retries with growing waits and delivers the Slack-compatible payload exactly once', async () => {
      const notifier = worker.get(Notifier);
      const request = {
        recipients: ['group:service-desk', 'user:ursula', 'group:service-desk'],
        kind: 'flaky_test',
        message: 'INC-000042 escalated to level 2',
        incidentId: 'INC-000042',
        dedupeKey: 'INC-000042:escalated:2',
      };
      await notifier.notify(request);
      // A retried activity notifies again with the same key: no second delivery is queued.
      await notifier.notify(request);

      const delivered = await eventually(() => deliveryOf(database, request.dedupeKey), (d) => d.state === 'delivered');
      expect(delivered).toMatchObject({ state: 'delivered', attempts: 3, lastError: 'HTTP 503: try again later', deliveredAt: expect.any(Date) });

      // Another delivery through the same dispatcher after it: once that one has arrived, any
      // stray repeat of the first would have arrived too.
      await notifier.notify({ recipients: ['user:ursula'], kind: 'marker', message: 'marker', dedupeKey: 'marker' });
      await eventually(() => deliveryOf(database, 'marker'), (d) => d.state === 'delivered');

      const attempts = webhook.received.filter((r) => r.body.kind === 'flaky_test');
      expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
      expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(950);
      expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(1950);
      const accepted = attempts[2];
      expect(accepted.contentType).toBe('application/json');
      expect(accepted.body).toEqual({
        text: 'flaky_test: INC-000042 escalated to level 2',
        kind: 'flaky_test',
        message: 'INC-000042 escalated to level 2',
        recipients: ['group:service-desk', 'user:ursula'],
        incidentId: 'INC-000042',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect(attempts[0].body).toEqual(accepted.body);
    });
  });

  describe('a webhook that does not answer', () => {
    let database: TestDatabase;
    let worker: INestApplicationContext;
    let webhook: Awaited<ReturnType<typeof startWebhook>>;

    beforeAll(async () => {
      database = await createTestDatabase('notify_webhook_down');
      webhook = await startWebhook(() => null);
      worker = await startWorker(database.url, uniqueTaskQueue('notify-webhook-down'), {
        processes: { notifications: { webhookUrl: webhook.url, dispatchPollMs: 50, deliveryTimeoutMs: 300 } },
      });
    });

    afterAll(async () => {
      await worker?.close();
      await webhook?.close();
      await database?.drop();
    });

    it('does not slow notify(): it returns promptly and the in-app rows exist', async () => {
      const notifier = worker.get(Notifier);
      // The dispatcher is already stuck on an earlier delivery while the next notify comes in.
      await notifier.notify({ recipients: ['user:ursula'], kind: 'incident_opened', message: 'first', incidentId: 'INC-000001', dedupeKey: 'down:first' });
      await eventually(async () => webhook.received.length, (n) => n >= 1);

      const started = Date.now();
      await notifier.notify({
        recipients: ['user:ursula', 'group:duty-managers'],
        kind: 'commander_deadline_missed',
        message: 'INC-000002 has no commander',
        incidentId: 'INC-000002',
        problemId: 'PRB-000007',
        dedupeKey: 'down:second',
      });
      expect(Date.now() - started).toBeLessThan(250);

      const rows = await database.db.getRepository(NotificationEntity).find({ where: { incidentId: 'INC-000002' }, order: { recipient: 'ASC' } });
      expect(rows.map((r) => [r.recipient, r.kind, r.incidentId, r.problemId, r.dedupeKey])).toEqual([
        ['group:duty-managers', 'commander_deadline_missed', 'INC-000002', 'PRB-000007', 'down:second:group:duty-managers'],
        ['user:ursula', 'commander_deadline_missed', 'INC-000002', 'PRB-000007', 'down:second:user:ursula'],
      ]);
      expect(await deliveryOf(database, 'down:second')).toMatchObject({ state: 'pending' });
    });

    it('records each failed attempt and backs off 1 s, then 2 s', async () => {
      await worker.get(Notifier).notify({ recipients: ['user:ursula'], kind: 'backoff', message: 'backoff', dedupeKey: 'down:backoff' });
      const second = (d: WebhookDeliveryEntity) => d.nextAttemptAt.getTime() - d.createdAt.getTime() < 20_000;

      // Between attempts (not while one is in flight, when the row carries the claim's lease).
      const afterFirst = await eventually(() => deliveryOf(database, 'down:backoff'), (d) => d.attempts === 1 && d.lastError !== null && second(d));
      expect(afterFirst).toMatchObject({ state: 'pending', lastError: 'no answer within 300 ms', deliveredAt: null });
      const firstWait = afterFirst.nextAttemptAt.getTime() - afterFirst.createdAt.getTime();
      expect(firstWait).toBeGreaterThanOrEqual(1_300);
      expect(firstWait).toBeLessThan(3_000);

      const afterSecond = await eventually(() => deliveryOf(database, 'down:backoff'), (d) => d.attempts === 2 && second(d));
      const secondWait = afterSecond.nextAttemptAt.getTime() - afterFirst.nextAttemptAt.getTime();
      expect(secondWait).toBeGreaterThanOrEqual(2_300);
      expect(secondWait).toBeLessThan(4_000);
      expect(afterSecond).toMatchObject({ state: 'pending', lastError: 'no answer within 300 ms' });
    });

    it('gives up after the tenth attempt and keeps the last error', async () => {
      await worker.get(Notifier).notify({ recipients: ['user:ursula'], kind: 'give_up', message: 'give up', dedupeKey: 'down:give-up' });
      // Nine attempts already behind it: waiting out 1 s + 2 s + ... + 256 s has no place in a test.
      await database.db.query(`UPDATE "webhook_delivery" SET "attempts" = 9, "last_error" = 'earlier', "next_attempt_at" = now() WHERE "notification_key" = 'down:give-up'`);

      const failed = await eventually(() => deliveryOf(database, 'down:give-up'), (d) => d.state !== 'pending');
      expect(failed).toMatchObject({ state: 'failed', attempts: 10, lastError: 'no answer within 300 ms', deliveredAt: null });
    });
  });

  describe('worker shutdown', () => {
    it('stops polling but lets the delivery in flight finish and record its outcome', async () => {
      const database = await createTestDatabase('notify_webhook_shutdown');
      const webhook = await startWebhook(() => null);
      try {
        const worker = await startWorker(database.url, uniqueTaskQueue('notify-webhook-shutdown'), {
          processes: { notifications: { webhookUrl: webhook.url, dispatchPollMs: 50, deliveryTimeoutMs: 1_000 } },
        });
        await worker.get(Notifier).notify({ recipients: ['user:ursula'], kind: 'shutdown', message: 'in flight', dedupeKey: 'shutdown' });
        await eventually(async () => webhook.received.length, (n) => n === 1);

        await worker.close();
        // Recorded as a failed attempt with its backoff, not left holding the claim's lease.
        const row = await deliveryOf(database, 'shutdown');
        expect(row).toMatchObject({ state: 'pending', attempts: 1, lastError: 'no answer within 1000 ms' });
        expect(row.nextAttemptAt.getTime() - row.createdAt.getTime()).toBeLessThan(10_000);
        expect(webhook.received).toHaveLength(1);
      } finally {
        await webhook.close();
        await database.drop();
      }
    });
  });
});
