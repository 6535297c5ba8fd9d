import { setHandler } from '@temporalio/workflow';
import {
  acceptHandoverUpdate,
  acknowledgeIncidentUpdate,
  assignIncidentUpdate,
  closeIncidentUpdate,
  incidentNoteSignal,
  incidentStateQuery,
  pendIncidentUpdate,
  postStakeholderUpdateUpdate,
  proposeHandoverUpdate,
  reclassifyIncidentUpdate,
  resolveIncidentUpdate,
  resumeIncidentUpdate,
  reviewIncidentUpdate,
  type Actor,
} from '@steward/contracts';
import { SYSTEM, check, type IncidentRun } from './incident-run';

/**
 * The incident's messages. The rules are IncidentCase's: validators ask it (a refused message
 * never enters history), handlers apply the act, let the timers know and record the facts.
 * Registered before the workflow's first await, so no message finds its handler missing.
 */
export function registerIncidentMessages(run: IncidentRun): void {
  const { incident } = run;
  const answer = () => run.snapshot();

  // The first acknowledgement counts, and stops the response clock.
  const acknowledge = (by: Actor, implicit: boolean): Array<Promise<void>> => {
    const now = new Date();
    if (!incident.acknowledge(by.id, now)) return [];
    run.changed();
    const acknowledged = run.record('acknowledged', by.id, implicit ? { implicit: true } : {}, { state: incident.state, acknowledgedAt: now.toISOString() });
    const stopped = incident.stopClock('response', now);
    return stopped ? [acknowledged, run.record('sla_stopped', SYSTEM, stopped)] : [acknowledged];
  };

  setHandler(incidentStateQuery, answer);

  setHandler(
    acknowledgeIncidentUpdate,
    async ({ by }) => {
      await Promise.all(acknowledge(by, false));
      return answer();
    },
    { validator: (_message) => check(() => incident.mayAct()) },
  );

  setHandler(
    assignIncidentUpdate,
    async ({ by, commander, resolvers }) => {
      incident.assign({ commander, resolvers });
      run.changed();
      await run.record('assigned', by.id, { commander: incident.commander, resolvers: incident.resolvers }, { commander: incident.commander, resolvers: [...incident.resolvers] });
      return answer();
    },
    { validator: ({ commander, resolvers }) => check(() => incident.mayAssign({ commander, resolvers })) },
  );

  setHandler(
    postStakeholderUpdateUpdate,
    async ({ by, message }) => {
      incident.stakeholderUpdatePosted(new Date());
      run.changed();
      await run.record('stakeholder_update', by.id, { message });
      return answer();
    },
    { validator: (_message) => check(() => incident.mayAct()) },
  );

  setHandler(
    pendIncidentUpdate,
    async ({ by, reason }) => {
      incident.pend(new Date(), reason, by.id);
      run.changed();
      await run.record('pending', by.id, { reason }, { state: incident.state });
      return answer();
    },
    { validator: (_message) => check(() => incident.mayPend()) },
  );

  setHandler(
    resumeIncidentUpdate,
    async ({ by }) => {
      incident.resume(new Date(), by.id);
      run.changed();
      await run.record('resumed', by.id, {}, { state: incident.state });
      return answer();
    },
    { validator: (_message) => check(() => incident.mayResume()) },
  );

  setHandler(
    resolveIncidentUpdate,
    async ({ by, resolution }) => {
      const now = new Date();
      const acks = acknowledge(by, true);
      incident.resolve(resolution, now, by.id);
      const stopped = incident.stopClock('resolution', now);
      run.changed();
      await Promise.all([
        ...acks,
        run.record('resolved', by.id, { resolution, priority: incident.priority }, { state: incident.state, resolvedAt: now.toISOString(), resolution }),
        ...(stopped ? [run.record('sla_stopped', SYSTEM, stopped)] : []),
      ]);
      return answer();
    },
    { validator: (_message) => check(() => incident.mayResolve()) },
  );

  setHandler(
    reviewIncidentUpdate,
    async ({ by, review }) => {
      incident.recordReview(review);
      run.changed();
      await run.record('review_recorded', by.id, { actions: review.actions.length }, { review });
      return answer();
    },
    { validator: ({ review }) => check(() => incident.mayRecordReview(review)) },
  );

  setHandler(
    closeIncidentUpdate,
    async ({ by }) => {
      incident.close();
      run.changed();
      await run.record('closed', by.id, {}, { state: incident.state, closedAt: new Date().toISOString() });
      return answer();
    },
    { validator: (_message) => check(() => incident.mayClose(incident.priority)) },
  );

  setHandler(
    reclassifyIncidentUpdate,
    async ({ by, classification: next, sla, reason }) => {
      const from = incident.reclassify(next, sla, new Date());
      run.changed();
      await run.record(
        'reclassified',
        by.id,
        { from, to: incident.priority, impact: next.impact, urgency: next.urgency, reason, slaDefinition: sla.definition },
        { priority: incident.priority, major: incident.major, impact: next.impact.effective, urgency: next.urgency, classification: next },
      );
      return answer();
    },
    { validator: (_message) => check(() => incident.mayReclassify()) },
  );

  setHandler(
    proposeHandoverUpdate,
    async ({ by, to }) => {
      const handover = incident.proposeHandover(by.id, to, new Date(), run.settings.handoverTimeoutMs);
      run.changed();
      await run.record('handover_proposed', by.id, { from: by.id, to, expiresAt: handover.expiresAt });
      run.notify([`user:${to}`], 'handover_proposed', `${by.name} asks you to take command (accept before ${handover.expiresAt})`, `handover:${incident.eventNumber}`);
      return answer();
    },
    { validator: ({ by, to }) => check(() => incident.mayProposeHandover(by.id, to)) },
  );

  setHandler(
    acceptHandoverUpdate,
    async ({ by }) => {
      const from = incident.acceptHandover(by.id);
      run.changed();
      await run.record('handover_accepted', by.id, { from, to: by.id }, { commander: incident.commander });
      return answer();
    },
    { validator: ({ by }) => check(() => incident.mayAcceptHandover(by.id)) },
  );

  setHandler(incidentNoteSignal, ({ key, by, note, data }) => {
    void run.record('note', by, { key, note, ...(data ?? {}) });
  });
}
