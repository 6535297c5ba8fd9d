import { condition } from '@temporalio/workflow';
import { SYSTEM, spoken, type IncidentRun } from './incident-run';

/**
 * Command of a major incident (P1/P2): a commander within a set time, stakeholder updates on a
 * cadence, and handovers that never leave the incident without a commander. Each loop sleeps
 * until its deadline and looks again whenever something it depends on changes.
 */

/** A major incident without a commander in time: the duty managers are told, once. */
export async function watchCommander(run: IncidentRun): Promise<void> {
  const { incident, settings } = run;
  for (;;) {
    await condition(() => incident.settled || incident.awaitsCommander);
    if (incident.settled) return;
    const seen = run.version;
    const deadline = Date.parse(incident.majorSince!) + settings.commanderDeadlineMs;
    if (await run.waitUntil(deadline, () => run.version !== seen)) continue;
    incident.commanderDeadlineMissed();
    run.changed();
    const group = `group:${settings.dutyManagerGroup}`;
    void run.record('commander_deadline_missed', SYSTEM, { deadline: new Date(deadline).toISOString(), notified: group });
    run.notify([group], 'commander_missing', `no incident commander after ${spoken(settings.commanderDeadlineMs)}: assign one now`, 'commander-deadline');
  }
}

/** Silence is itself escalated (principle 6): a missed update is a recorded fact, the commander is reminded. */
export async function watchStakeholderUpdates(run: IncidentRun): Promise<void> {
  const { incident, settings } = run;
  for (;;) {
    await condition(() => incident.settled || (incident.major && incident.stakeholderAnchor !== null));
    if (incident.settled) return;
    const seen = run.version;
    const due = Date.parse(incident.stakeholderAnchor!) + settings.stakeholderUpdateMs[incident.priority as 'P1' | 'P2'];
    if (await run.waitUntil(due, () => run.version !== seen)) continue;
    incident.stakeholderUpdateMissed(new Date(due));
    run.changed();
    const missedDue = incident.stakeholderAnchor;
    void run.record('stakeholder_update_missed', SYSTEM, { dueAt: missedDue, commander: incident.commander });
    run.notify(run.commanderOrDutyManagers(), 'stakeholder_update_reminder', `stakeholder update due ${missedDue} was missed: post one now`, `update-missed:${incident.missedUpdates}`);
  }
}

/** A proposed handover not accepted in time is withdrawn; the commander stays. */
export async function watchHandover(run: IncidentRun): Promise<void> {
  const { incident } = run;
  for (;;) {
    await condition(() => incident.handover !== null || incident.closed);
    if (incident.closed) return;
    const waiting = incident.handover!;
    if (await run.waitUntil(Date.parse(waiting.expiresAt), () => incident.handover !== waiting || incident.closed)) continue;
    incident.expireHandover(waiting);
    run.changed();
    void run.record('handover_expired', SYSTEM, { from: waiting.from, to: waiting.to });
    run.notify([`user:${waiting.from}`], 'handover_expired', `${waiting.to} did not accept command in time; you remain the commander`, `handover-expired:${waiting.proposedAt}`);
  }
}
