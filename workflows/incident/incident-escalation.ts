import { SYSTEM, type IncidentRun } from './incident-run';

/**
 * Escalation by the incident's pinned policy: each notification of the plan goes out when the
 * one before it was not acknowledged in time, round after round; when the last one runs out
 * too, the exhaustion is recorded. An acknowledgement or a resolution ends it. A continued run
 * picks up at the notification the last run had reached.
 */
export async function escalate(run: IncidentRun): Promise<void> {
  const { incident, plan } = run;
  const { escalationPolicy: policy } = run.input;
  const answered = () => incident.escalationAnswered;
  for (let i = incident.escalationNotified; i < plan.length; i++) {
    const step = plan[i];
    if (await run.waitUntil(step.notifyAt.getTime(), answered)) return;
    incident.escalated(i + 1);
    run.changed();
    void run.record('escalated', SYSTEM, { level: step.level, round: step.round, targets: step.targets }, { escalationLevel: step.level });
    run.notify(step.targets, 'incident_escalated', `level ${step.level} (round ${step.round}): please acknowledge`, `escalation:${i + 1}`);
  }
  if (incident.escalationExhausted || (await run.waitUntil(plan[plan.length - 1].escalateAt.getTime(), answered))) return;
  incident.exhaustEscalation();
  void run.record('escalation_exhausted', SYSTEM, { policy: `${policy.id}@${policy.version}` });
}
