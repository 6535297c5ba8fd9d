import { ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type * as activities from './baseline.activities';
import { baselineDecideUpdate, baselineStateQuery, type BaselineState } from './baseline.messages';

// The same activity options as the change workflow's recording activities.
const { recordBaselineTransition, verifyBaselineDecision } = proxyActivities<typeof activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The bare-SDK counterpart of the change workflow, for the benchmark only (never bundled into
 * production): two trivial activities up to `awaiting_approval`, a wait for one approval (an
 * update whose handler runs one activity), one activity, `scheduled`, then it waits until the
 * bench terminates it.
 */
export async function baselineWorkflow(): Promise<void> {
  const id = workflowInfo().workflowId;
  let state: BaselineState = 'submitted';
  let approved = false;

  setHandler(baselineStateQuery, () => state);
  setHandler(
    baselineDecideUpdate,
    async (decision) => {
      if (!(await verifyBaselineDecision({ id, decision }))) throw ApplicationFailure.create({ type: 'forbidden', message: 'not approved', nonRetryable: true });
      approved = true;
      return state;
    },
    {
      validator: (decision) => {
        if (typeof decision !== 'string') throw ApplicationFailure.create({ type: 'invalid', message: 'a decision is a string', nonRetryable: true });
        if (state !== 'awaiting_approval' || approved) throw ApplicationFailure.create({ type: 'conflict', message: `baseline is ${state}`, nonRetryable: true });
      },
    },
  );

  await recordBaselineTransition({ id, to: 'assessing' });
  state = 'assessing';
  await recordBaselineTransition({ id, to: 'awaiting_approval' });
  state = 'awaiting_approval';
  await condition(() => approved);
  await recordBaselineTransition({ id, to: 'scheduled' });
  state = 'scheduled';
  await condition(() => false);
}
