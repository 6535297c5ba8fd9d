import { changeStateQuery, changeWorkflowId, completeStepUpdate, decideSignal, decideUpdate } from '@steward/contracts';
import { SOD_RULES } from '@steward/domain';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { eventually, temporalClient, testDecisionSigner } from '../support/harness';
import { PEOPLE, confirmThenDeploy, startIdentityWorld, type IdentityWorld } from './support/identity-world';

/** What the workflow said to an update it refused in its validator. */
async function refusalOf(update: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  const error = await update.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
  return { type: cause.type ?? undefined, message: cause.message };
}

/**
 * The API refuses plan authors' votes and the requester's own manual steps. Someone who reaches
 * Temporal skips the API: the workflow's own validators must refuse the same, even for a decision
 * that carries a genuine Steward signature (a compromised or buggy API), and nothing executes.
 */
describe('Governance: segregation of duties holds for messages sent straight to the workflow', () => {
  let world: IdentityWorld;
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  const signer = testDecisionSigner();

  beforeAll(async () => {
    world = await startIdentityWorld('governance_sod_workflow', { worker: true });
    temporal = await temporalClient();
  });

  afterAll(async () => {
    await temporal?.close();
    await world?.close();
  });

  it('refuses a plan author’s signed vote and the requester’s own manual step; someone else’s counts and only then does the deployment run', async () => {
    const id = await world.submit(PEOPLE.requester);
    const first = await world.reach(id, (c) => c.state === 'awaiting_approval');
    expect((await world.call('PUT', `/api/changes/${id}/plan`, PEOPLE.manager, { plan: confirmThenDeploy(world.target, 6) })).status).toBe(200);
    const handle = temporal.client.workflow.getHandle(changeWorkflowId(id));
    // The workflow's own view: re-assessed, awaiting approval again under the revised plan's hash.
    const revised = await eventually(() => handle.query(changeStateQuery), (c) => c.state === 'awaiting_approval' && c.planHash !== first.planHash, 30_000);

    // The plan's author, with a genuinely signed vote, by update: refused before it enters history.
    const byAuthor = signer.sign({ changeId: id, planHash: revised.planHash, approver: PEOPLE.manager, decision: 'approve', comment: 'my own plan is fine', at: new Date().toISOString() });
    expect(await refusalOf(handle.executeUpdate(decideUpdate, { args: [byAuthor] }))).toEqual({ type: 'forbidden', message: SOD_RULES.planAuthorApproves });
    // ...and by signal: the workflow records the refusal, and the vote does not count.
    await handle.signal(decideSignal, byAuthor);
    await eventually(() => world.audit('change.decision_refused', id), (entries) => entries.some((e) => e.actor === 'dave' && e.data.reason === SOD_RULES.planAuthorApproves));
    expect((await handle.query(changeStateQuery)).approvals).toEqual([]);

    // The CI's owner approves through the API; the change waits at its manual step.
    expect((await world.call('POST', `/api/changes/${id}/decisions`, PEOPLE.owner, { decision: 'approve', comment: 'ok', planHash: revised.planHash })).status).toBe(200);
    await world.reach(id, (c) => c.steps.some((s: { id: string; state: string }) => s.id === 'confirm' && s.state === 'waiting'));

    // The requester confirms their own manual step straight through Temporal: refused.
    const bySelf = handle.executeUpdate(completeStepUpdate, { args: [{ actor: { id: PEOPLE.requester.id, name: PEOPLE.requester.name }, stepId: 'confirm', outcome: 'succeeded', notes: 'done it myself' }] });
    expect(await refusalOf(bySelf)).toEqual({ type: 'forbidden', message: SOD_RULES.requesterCompletesStep });
    expect((await world.view(id)).steps.find((s: { id: string }) => s.id === 'confirm').state).toBe('waiting');
    expect(world.target.count('/deploy')).toBe(0);

    // Someone else confirms: only now does the deployment reach the target (so 0 above meant something).
    await handle.executeUpdate(completeStepUpdate, { args: [{ actor: { id: PEOPLE.engineer.id, name: PEOPLE.engineer.name }, stepId: 'confirm', outcome: 'succeeded', notes: 'banner up' }] });
    await world.reach(id, (c) => c.state === 'completed');
    expect(world.target.count('/deploy')).toBe(1);
  });
});
