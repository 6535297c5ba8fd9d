import type { ExecutorCredentials } from '@steward/config';
import { ExecutorSettings, HostResolver, HttpExecutor, type StepExecutionContext } from '../../../activities/change/executors';
import { startCountingTarget, type CountingTarget } from './counting-target';
import { startScriptedTarget, type ScriptedTarget } from './scripted-target';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const EXECUTOR_TEST_KEY = 'security-suite-executor-key-0123456789abcdef';

/** The http executor as the worker builds it, with the resolver the test injects. */
export function httpExecutor(options: { allowed?: string[]; resolver?: HostResolver; credentials?: ExecutorCredentials } = {}): HttpExecutor {
  return new HttpExecutor(new ExecutorSettings(options.allowed ?? [], EXECUTOR_TEST_KEY, options.credentials ?? {}), options.resolver ?? new HostResolver());
}

export function stepContext(overrides: Partial<StepExecutionContext> = {}): StepExecutionContext {
  return {
    changeId: 'CHG-900001',
    stepId: 'deploy',
    phase: 'action',
    idempotencyKey: 'CHG-900001:deploy:action:0000000000000000',
    signal: new AbortController().signal,
    heartbeat: () => undefined,
    ...overrides,
  };
}

/**
 * A scripted target on 127.0.0.2 and a counting target on 127.0.0.1, on the same port: one
 * URL reaches either, depending only on which address the executor connects to.
 */
export async function targetsOnOnePort(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ legit: ScriptedTarget; loopback: CountingTarget; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const legit = await startScriptedTarget('127.0.0.2', handler);
    try {
      const loopback = await startCountingTarget({ host: '127.0.0.1', port: legit.port });
      return { legit, loopback, port: legit.port };
    } catch (error) {
      await legit.close();
      if (attempt >= 5) throw error;
    }
  }
}
