import { condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import type { IncidentState, IncidentWorkflowInput } from '@steward/contracts';
import { SLA_KINDS } from '@steward/domain';
import { watchCommander, watchHandover, watchStakeholderUpdates } from './incident-command';
import { escalate } from './incident-escalation';
import { registerIncidentMessages } from './incident-messages';
import { IncidentRun, SYSTEM, problems } from './incident-run';
import { watchSla } from './incident-sla';

/**
 * One incident, from the moment it is reported until it is closed (ITIL incident management):
 * logged and classified, paged by its pinned escalation policy until someone acknowledges,
 * worked with SLA clocks that pause while a third party has it, and for a major incident (P1/P2)
 * led by a commander who keeps stakeholders informed. Resolved, a major incident opens a problem
 * investigation and closes only after its blameless review. Every fact is recorded, in order,
 * by an activity; a long life continues as new with the state IncidentCase carries.
 */
export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<{ state: IncidentState; problemId: string | null }> {
  const run = new IncidentRun(input);
  const { incident } = run;
  registerIncidentMessages(run);

  // Logging: the opening fact, and the problem context counts a recurrence.
  if (!input.carried) {
    const opened = recordOpening(run);
    // Paging must not wait for bookkeeping: the first level is notified while the opening fact
    // is still being written (recording keeps the facts in order either way).
    if (!patched('page-without-waiting-for-the-opening-record')) await opened;
    linkRecurrence(run);
  }

  // Escalation, SLA watching and the major incident's command run beside the main line.
  void escalate(run);
  for (const kind of SLA_KINDS) void watchSla(run, kind);
  void watchCommander(run);
  void watchStakeholderUpdates(run);
  void watchHandover(run);

  const handOverIfHistoryIsLong = async (): Promise<void> => {
    await run.quiet();
    await continueAsNew<typeof incidentWorkflow>({ ...input, carried: incident.carry() });
  };

  // Investigation and diagnosis, until resolved.
  await condition(() => incident.settled || workflowInfo().continueAsNewSuggested);
  if (!incident.settled) await handOverIfHistoryIsLong();

  // Principle 2: a resolved major incident opens a problem investigation.
  if (incident.reviewRequired && !incident.problemId) {
    const { problemId } = await problems.openProblemForMajorIncident({ incidentId: input.incidentId });
    incident.linkProblem(problemId);
    await run.record('problem_linked', SYSTEM, { problemId, reason: 'major incident resolved' }, { problemId });
  }

  // Closure: the review's actions go to the problem; the incident closes by update.
  for (;;) {
    await condition(() => incident.closed || incident.reviewActionsDue || workflowInfo().continueAsNewSuggested);
    if (incident.reviewActionsDue) {
      const actions = incident.reviewActionsSent();
      if (actions.length > 0) await problems.recordReviewActions({ incidentId: input.incidentId, actions });
    }
    if (incident.closed) break;
    if (workflowInfo().continueAsNewSuggested) await handOverIfHistoryIsLong();
  }

  await run.quiet();
  return { state: incident.state, problemId: incident.problemId };
}

/** The `opened` fact: how the incident was classified, its SLA and its escalation policy. */
function recordOpening(run: IncidentRun): Promise<void> {
  const { incident, input } = run;
  const { classification, slaTerms: terms } = incident;
  return run.record(
    'opened',
    SYSTEM,
    {
      priority: incident.priority,
      major: incident.major,
      service: input.service,
      category: input.category,
      source: input.source,
      impact: classification.impact,
      urgency: classification.urgency,
      slaDefinition: terms.definition,
      responseTargetMs: terms.response?.targetMs ?? null,
      resolutionTargetMs: terms.resolution?.targetMs ?? null,
      escalationPolicy: `${input.escalationPolicy.id}@${input.escalationPolicy.version}`,
    },
    { state: incident.state },
  );
}

/** Counting recurrences belongs to the problem context; the incident does not wait for it. */
function linkRecurrence(run: IncidentRun): void {
  const { incident } = run;
  void problems
    .recordIncidentOccurrence({ incidentId: run.input.incidentId })
    .then(({ problemId: linked }) => {
      if (linked && !incident.problemId) {
        incident.linkProblem(linked);
        return run.record('problem_linked', SYSTEM, { problemId: linked, reason: 'recurrence' }, { problemId: linked });
      }
    })
    .catch(() => undefined);
}
