import { condition } from '@temporalio/workflow';
import type { SlaTargetKind } from '@steward/domain';
import { SYSTEM, type IncidentRun } from './incident-run';

/**
 * Watches one SLA clock until it stops: a breach is recorded when it happens, once per
 * priority, and the commander (or the duty managers) hear of it. Whatever moves the clock
 * (a pause, a resumption, a re-classification) makes it compute its due time again.
 */
export async function watchSla(run: IncidentRun, kind: SlaTargetKind): Promise<void> {
  const { incident } = run;
  for (;;) {
    if (incident.clock(kind).stoppedAt !== null || incident.closed) return;
    const seen = run.version;
    const due = incident.breachDue(kind, new Date());
    if (due === null || (await run.waitUntil(due.getTime(), () => run.version !== seen))) {
      if (run.version === seen) await condition(() => run.version !== seen);
      continue;
    }
    incident.recordBreach(kind);
    run.changed();
    void run.record('sla_breached', SYSTEM, { target: kind, priority: incident.priority, targetMs: incident.slaTerms[kind]!.targetMs, dueAt: due.toISOString() });
    run.notify(run.commanderOrDutyManagers(), 'sla_breached', `${kind} SLA breached (due ${due.toISOString()})`, `breach:${kind}:${incident.priority}`);
  }
}
