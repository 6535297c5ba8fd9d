import { proxyActivities } from '@temporalio/workflow';
import type { ActivityInterfaceOf, ProblemActivities } from '@steward/activities';
import type { ProblemWorkflowInput } from '@steward/contracts';
import { ProblemLifecycle, type ProblemFact } from '@steward/domain';

export const records = proxyActivities<ActivityInterfaceOf<ProblemActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const SYSTEM = 'steward';

/**
 * One run of a problem investigation: its lifecycle (the rules, ProblemLifecycle), the facts it
 * records, and what the messages tell the main line (something moved; when to look at the fix
 * again; a known error being published; review actions being saved).
 */
export class ProblemRun {
  readonly problem: ProblemLifecycle;
  /** Set by every message that moved the problem: the main line looks again. */
  changed = false;
  nextFixPoll = Date.now();
  publishing = false;
  readonly savingActionsFor = new Set<string>();
  private sequence: number;
  private recording: Promise<void> = Promise.resolve();

  constructor(readonly input: ProblemWorkflowInput) {
    this.problem = input.carried ? ProblemLifecycle.resume(input.carried.snapshot) : ProblemLifecycle.open(input.problemId);
    this.sequence = input.carried?.eventSequence ?? 0;
  }

  /** Settles once every fact recorded so far is written. */
  get written(): Promise<void> {
    return this.recording;
  }

  /**
   * Records facts one after another, in the order they happened, each with the state it left
   * the problem in; the event key makes a retried write a no-op.
   */
  record(facts: ProblemFact | ProblemFact[], actor = SYSTEM): Promise<void> {
    const snapshot = this.problem.snapshot();
    const { problemId } = this.input;
    for (const fact of Array.isArray(facts) ? facts : [facts]) {
      this.sequence += 1;
      const eventKey = `${this.sequence}:${fact.type}`;
      this.recording = this.recording.then(() => records.recordProblemFact({ problemId, eventKey, type: fact.type, actor, data: fact.data, snapshot }));
    }
    this.changed = true;
    return this.recording;
  }

  async attach(incidentId: string, recurrence: boolean): Promise<void> {
    const facts = this.problem.attach({ incidentId, recurrence });
    if (facts.length === 0) return;
    this.changed = true;
    await records.attachProblemIncident({ problemId: this.input.problemId, incidentId, recurrence });
    await this.record(facts);
  }

  /** When the main line must look again without a message: an action due, the fix to poll, the observation's end. */
  nextDeadline(): number | undefined {
    const { problem } = this;
    const deadlines: number[] = [];
    const due = problem.nextActionDue();
    if (due !== undefined) deadlines.push(due);
    if (problem.state === 'fix_in_progress') deadlines.push(this.nextFixPoll);
    if (problem.state === 'observation' && problem.observationUntil) deadlines.push(Date.parse(problem.observationUntil));
    return deadlines.length > 0 ? Math.min(...deadlines) : undefined;
  }

  /** What the next run starts from. */
  carry(): ProblemWorkflowInput {
    const { problemId, title, settings } = this.input;
    return { problemId, title, settings, carried: { snapshot: this.problem.snapshot(), eventSequence: this.sequence } };
  }
}
