import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';

/**
 * An attacker's own workflow, run by the attacker's own worker on a task queue of their own,
 * that schedules Steward's activities on Steward's task queue with whatever inputs it copied
 * from a change's history. Each call's verdict is returned so the test can assert it.
 */
export interface AttackCall {
  activity: string;
  input: unknown;
}

export interface AttackResult {
  activity: string;
  outcome: 'accepted' | 'refused';
  type?: string;
  message?: string;
}

export async function attackerWorkflow(args: { stewardTaskQueue: string; calls: AttackCall[] }): Promise<AttackResult[]> {
  const steward = proxyActivities<Record<string, (input: unknown) => Promise<unknown>>>({
    taskQueue: args.stewardTaskQueue,
    startToCloseTimeout: '30 seconds',
    // One attempt: the verdict of the first is what the attacker gets.
    retry: { maximumAttempts: 1 },
  });
  const results: AttackResult[] = [];
  for (const call of args.calls) {
    try {
      await steward[call.activity](call.input);
      results.push({ activity: call.activity, outcome: 'accepted' });
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : error;
      results.push({
        activity: call.activity,
        outcome: 'refused',
        ...(cause instanceof ApplicationFailure && cause.type ? { type: cause.type } : {}),
        message: (cause as Error)?.message,
      });
    }
  }
  return results;
}
