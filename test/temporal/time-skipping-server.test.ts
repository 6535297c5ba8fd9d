import { resolveTimeSkippingServer, toSdkExecutable } from '@steward/temporal';
import { TestWorkflowEnvironment } from '@temporalio/testing';

/**
 * The time-skipping test server, obtained by the toolchain resolver (Maven jars and a java
 * wrapper here). Later tests of deadlines and SLA clocks stand on it.
 */
describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: toSdkExecutable(resolveTimeSkippingServer()) } });
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('skips two days of server time in a moment of ours', async () => {
    const wallStart = Date.now();
    const serverStart = await env.currentTimeMs();
    await env.sleep('2 days');
    const skipped = (await env.currentTimeMs()) - serverStart;
    expect(skipped).toBeGreaterThanOrEqual(2 * 24 * 3600 * 1000);
    expect(Date.now() - wallStart).toBeLessThan(30_000);
  });
});
