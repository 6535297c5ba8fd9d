import { StewardError } from '@steward/domain';
import { ExecutorRegistry } from './executor-registry';
import { ExecutorSettings } from './executor-settings';
import { HostResolver, HttpExecutor } from './http.executor';
import { SimulatedExecutor } from './simulated.executor';
import type { StepExecutionContext } from './step-executor';

function context(signal: AbortSignal = new AbortController().signal) {
  const beats: unknown[] = [];
  const ctx: StepExecutionContext = {
    changeId: 'CHG-000001',
    stepId: 'deploy',
    phase: 'action',
    idempotencyKey: 'CHG-000001/deploy/action/1',
    signal,
    heartbeat: (details) => beats.push(details),
  };
  return { ctx, beats };
}

describe('SimulatedExecutor', () => {
  const executor = new SimulatedExecutor();

  afterEach(() => jest.useRealTimers());

  it('succeeds at once with no duration, without heartbeats', async () => {
    const { ctx, beats } = context();
    await expect(executor.execute({ executor: 'simulated', outcome: 'succeed' }, ctx)).resolves.toMatchObject({ outcome: 'succeeded', detail: 'simulated success after 0 ms' });
    expect(beats).toHaveLength(0);
  });

  it('reports a simulated failure as an outcome, not an exception', async () => {
    const { ctx } = context();
    const result = await executor.execute({ executor: 'simulated', outcome: 'fail', durationMs: 5 }, ctx);
    expect(result).toMatchObject({ outcome: 'failed', detail: 'simulated failure after 5 ms' });
    expect(result.statusCode).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(4);
  });

  it('waits in slices of at most a second, heartbeating after each', async () => {
    jest.useFakeTimers();
    const { ctx, beats } = context();
    const run = executor.execute({ executor: 'simulated', outcome: 'succeed', durationMs: 2_500 }, ctx);
    await jest.advanceTimersByTimeAsync(999);
    expect(beats).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(beats).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1_500);
    const result = await run;
    expect(beats).toEqual([
      { executor: 'simulated', waitedMs: 1_000, durationMs: 2_500 },
      { executor: 'simulated', waitedMs: 2_000, durationMs: 2_500 },
      { executor: 'simulated', waitedMs: 2_500, durationMs: 2_500 },
    ]);
    expect(result).toMatchObject({ outcome: 'succeeded', durationMs: 2_500 });
  });

  it('stops early with the abort reason when the signal aborts', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    const { ctx, beats } = context(controller.signal);
    const run = executor.execute({ executor: 'simulated', outcome: 'succeed', durationMs: 60_000 }, ctx);
    const settled = run.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(2_500);
    const reason = new Error('activity cancelled');
    controller.abort(reason);
    await expect(settled).resolves.toBe(reason);
    expect(beats).toHaveLength(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not start when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const { ctx } = context(controller.signal);
    await expect(executor.execute({ executor: 'simulated', outcome: 'succeed', durationMs: 10 }, ctx)).rejects.toThrow('gone');
  });

  it.each([
    [{ executor: 'simulated', outcome: 'maybe' }, 'outcome'],
    [{ executor: 'simulated', outcome: 'succeed', durationMs: -1 }, 'durationMs'],
    [{ executor: 'simulated', outcome: 'succeed', durationMs: 1.5 }, 'durationMs'],
    [{ executor: 'simulated', outcome: 'succeed', durationMs: 3_600_001 }, 'durationMs'],
    [{ executor: 'simulated', outcome: 'succeed', durationMs: '10' }, 'durationMs'],
    [{ executor: 'http', outcome: 'succeed' }, 'executor'],
  ])('refuses a bad call %j as invalid', async (call, field) => {
    const { ctx } = context();
    const error = await executor.execute(call, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StewardError);
    expect(error).toMatchObject({ code: 'invalid', details: { field } });
  });
});

describe('ExecutorRegistry', () => {
  const simulated = new SimulatedExecutor();
  const http = new HttpExecutor(new ExecutorSettings([], 'k'.repeat(32)), new HostResolver());
  const registry = new ExecutorRegistry(simulated, http);

  it('finds the executor a call names', () => {
    expect(registry.forCall({ executor: 'simulated', outcome: 'succeed' })).toBe(simulated);
    expect(registry.forCall({ executor: 'http', url: 'https://example.com' })).toBe(http);
  });

  it.each([{ executor: 'ssh' }, {}, { executor: 42 }, { instructions: 'do it by hand' }])('refuses %j as invalid', (call) => {
    expect(() => registry.forCall(call)).toThrow(StewardError);
    expect(() => registry.forCall(call)).toThrow(/unknown executor .*must be one of simulated, http/);
  });
});

describe('ExecutorSettings', () => {
  it('parses the allowed targets and refuses malformed ones or a short key', () => {
    expect(new ExecutorSettings(['127.0.0.1:*', '*:8080'], 'k'.repeat(32)).targetPatterns).toHaveLength(2);
    expect(() => new ExecutorSettings(['example.com'], 'k'.repeat(32))).toThrow(/host:port pattern/);
    expect(() => new ExecutorSettings([], 'short')).toThrow(/at least 32 characters/);
  });
});
