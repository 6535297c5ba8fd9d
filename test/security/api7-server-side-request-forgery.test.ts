import { StewardError } from '@steward/domain';
import { startCountingTarget, type CountingTarget } from './support/counting-target';
import { DnsServerResolver, ScriptedResolver, startDnsResponder, type DnsResponder } from './support/dns-responder';
import { httpExecutor, stepContext, targetsOnOnePort } from './support/executor-context';

/**
 * A plan author (or whoever controls a target's DNS) tries to make the worker, which sits
 * inside the operator's network, call something internal: loopback services, the metadata
 * endpoint, the database, Temporal. The executor resolves the host once, checks every address
 * (activities/change/executors/target-policy.ts), and connects to the address it checked.
 */
describe('API7:2023 Server Side Request Forgery', () => {
  let counting: CountingTarget;

  beforeAll(async () => {
    counting = await startCountingTarget();
  });

  afterAll(async () => {
    await counting?.close();
  });

  it('refuses a loopback, link-local or private target before sending anything', async () => {
    const executor = httpExecutor();
    const port = new URL(counting.base).port;
    for (const url of [`${counting.base}/deploy`, `http://localhost:${port}/deploy`, `http://[::ffff:127.0.0.1]:${port}/deploy`, `http://2130706433:${port}/deploy`, 'http://169.254.169.254/latest/meta-data/']) {
      const error = await executor.execute({ executor: 'http', url }, stepContext()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StewardError);
      expect(error).toMatchObject({ code: 'forbidden' });
    }
    expect(counting.count()).toBe(0);
  });

  describe('DNS rebinding: a name that answers a public address, then a loopback one', () => {
    let dns: DnsResponder;

    beforeAll(async () => {
      // A real name server on a loopback UDP port, TTL 0: first 192.0.2.10 (public to the
      // policy), from then on 127.0.0.1, where the counting target listens.
      dns = await startDnsResponder([['192.0.2.10'], ['127.0.0.1']]);
    });

    afterAll(async () => {
      await dns?.close();
    });

    it('asks DNS once and connects to the public address it checked, never to loopback', async () => {
      const port = new URL(counting.base).port;
      const executor = httpExecutor({ resolver: new DnsServerResolver(dns.server) });
      const result = await executor.execute({ executor: 'http', url: `http://deploy.rebind.test:${port}/deploy`, timeoutMs: 1_500 }, stepContext());
      // 192.0.2.10 is a documentation address that nothing answers here: the call fails there.
      expect(result.outcome).toBe('failed');
      expect(result.detail).toMatch(/^POST http:\/\/deploy\.rebind\.test:\d+\/deploy: (request failed|timed out)/);
      expect(dns.queries).toEqual(['deploy.rebind.test']);
      expect(counting.count()).toBe(0);
    });

    it('refuses the name once it answers loopback, still without reaching the target', async () => {
      const port = new URL(counting.base).port;
      const executor = httpExecutor({ resolver: new DnsServerResolver(dns.server) });
      await expect(executor.execute({ executor: 'http', url: `http://deploy.rebind.test:${port}/deploy` }, stepContext())).rejects.toMatchObject({
        code: 'forbidden',
        details: { address: '127.0.0.1', addressClass: 'loopback' },
      });
      expect(counting.count()).toBe(0);
    });
  });

  it('connects to the checked address even when the system resolver would answer loopback', async () => {
    // `localhost` resolves to 127.0.0.1 for the system (getaddrinfo, /etc/hosts): an executor that
    // resolved again when connecting would reach the counting target there. The injected
    // resolver answered 127.0.0.2, which EXECUTOR_ALLOWED_TARGETS allows; then 127.0.0.1.
    const { legit, loopback, port } = await targetsOnOnePort((_req, res) => res.writeHead(200).end());
    try {
      const resolver = new ScriptedResolver([['127.0.0.2'], ['127.0.0.1']]);
      const executor = httpExecutor({ allowed: [`127.0.0.2:${port}`], resolver });
      const result = await executor.execute({ executor: 'http', url: `http://localhost:${port}/deploy` }, stepContext());
      expect(result).toMatchObject({ outcome: 'succeeded', statusCode: 200 });
      expect(resolver.asked).toEqual(['localhost']);
      expect(legit.paths).toEqual(['/deploy']);
      expect(loopback.count()).toBe(0);
    } finally {
      await legit.close();
      await loopback.close();
    }
  });

  it('does not follow a redirect to loopback', async () => {
    const { legit, loopback, port } = await targetsOnOnePort((_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${legit.port}/internal/admin` }).end());
    try {
      const executor = httpExecutor({ allowed: [`127.0.0.2:${port}`] });
      const result = await executor.execute({ executor: 'http', url: `${legit.base}/deploy` }, stepContext());
      expect(result).toMatchObject({ outcome: 'failed', statusCode: 307 });
      expect(result.detail).toContain(`redirect to http://127.0.0.1:${port}/internal/admin not followed`);
      expect(loopback.count()).toBe(0);
    } finally {
      await legit.close();
      await loopback.close();
    }
  });

  it('sends a named credential only to the origins it is bound to', async () => {
    // A plan author names the deploy credential on a URL of their own to collect its token.
    const { legit, loopback, port } = await targetsOnOnePort((_req, res) => res.writeHead(200).end());
    try {
      const executor = httpExecutor({
        allowed: ['127.0.0.2:*', '127.0.0.1:*'],
        credentials: { 'deploy-bot': { headers: { Authorization: 'Bearer Zq4vN8pL2xR7tK9sW3yH6bM1dF5cJ0gE' }, origins: [legit.base] } },
      });
      await expect(executor.execute({ executor: 'http', url: `${loopback.base}/collect`, credential: 'deploy-bot' }, stepContext())).rejects.toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining(`credential "deploy-bot" may not be sent to http://127.0.0.1:${port}`),
      });
      expect(loopback.count()).toBe(0);
      await expect(executor.execute({ executor: 'http', url: `${legit.base}/deploy`, credential: 'deploy-bot' }, stepContext())).resolves.toMatchObject({ outcome: 'succeeded' });
      expect(legit.paths).toEqual(['/deploy']);
    } finally {
      await legit.close();
      await loopback.close();
    }
  });
});
