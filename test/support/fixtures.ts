import { changeWorkflowId, type ChangeWorkflowInput, type ImplementationPlan } from '@steward/contracts';
import { formatChangeId } from '@steward/domain';
import { computePlanHash } from '@steward/domain/change/plan-hash';
import { ChangeRequestEntity, seedDemoData } from '@steward/persistence';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { changeWorkflow } from '@steward/workflows';
import type { DataSource } from 'typeorm';
import { TEST_CHANGE_PROCESS } from './harness';

export const SIMPLE_PLAN: ImplementationPlan = {
  steps: [
    {
      id: 'deploy',
      name: 'Deploy payments-api 4.13.0',
      kind: 'automated',
      action: { executor: 'simulated', outcome: 'succeed', durationMs: 10 },
      rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 10 },
      estimatedMinutes: 10,
    },
  ],
};

/** A valid POST /api/changes body on the demo CIs. */
export function changeRequestBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Upgrade payments-api to 4.13.0',
    description: 'Fixes the settlement rounding bug (PRB-000003).',
    type: 'normal',
    cis: ['app-payments-api'],
    justification: 'Customers are charged a cent too much on split payments.',
    plan: SIMPLE_PLAN,
    backoutPlan: 'Redeploy 4.12.0 from the artifact store.',
    testEvidence: 'Staging run #4411 green.',
    ...overrides,
  };
}

/** A change row as the API would write it, for workflow tests that start workflows themselves. */
export async function insertChange(db: DataSource, requester = { id: 'alice', name: 'Alice' }): Promise<ChangeWorkflowInput> {
  await seedDemoData(db);
  const [{ number }] = (await db.query(`SELECT nextval('change_request_number_seq')::int AS number`)) as Array<{ number: number }>;
  const id = formatChangeId(number);
  const planHash = computePlanHash(SIMPLE_PLAN, 'redeploy');
  await db.getRepository(ChangeRequestEntity).save(
    db.getRepository(ChangeRequestEntity).create({
      id,
      number,
      title: 'Fixture change',
      description: 'd',
      type: 'normal',
      justification: 'j',
      ciKeys: ['app-payments-api'],
      plan: SIMPLE_PLAN,
      planHash,
      backoutPlan: 'redeploy',
      state: 'submitted',
      requesterId: requester.id,
      requesterName: requester.name,
      workflowId: changeWorkflowId(id),
    }),
  );
  return { changeId: id, type: 'normal', title: 'Fixture change', requester, ciKeys: ['app-payments-api'], planHash, steps: SIMPLE_PLAN.steps, settings: TEST_CHANGE_PROCESS };
}

/**
 * Starts the change workflow for a change row and records its run on the change, as the API's
 * submission does: activities serve only that run (see ChangeRunGuard).
 */
export async function startRecordedChange(
  client: Client,
  db: DataSource,
  input: ChangeWorkflowInput,
  taskQueue: string,
): Promise<WorkflowHandle<typeof changeWorkflow>> {
  const handle = await client.workflow.start<typeof changeWorkflow>('changeWorkflow', { workflowId: changeWorkflowId(input.changeId), taskQueue, args: [input] });
  await db.getRepository(ChangeRequestEntity).update({ id: input.changeId }, { workflowRunId: handle.firstExecutionRunId });
  return handle;
}
