import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityInterfaceOf, IncidentActivities } from '@steward/activities';
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
  type IncidentActor,
  type IncidentCarriedState,
  type IncidentEventRecord,
  type IncidentSnapshot,
  type IncidentState,
  type IncidentWorkflowInput,
  type ReviewAction,
  type SlaClockView,
} from '@steward/contracts';
import {
  IncidentCase,
  StewardError,
  dueAt,
  elapsed,
  escalationPlan,
  isPaused,
  pause,
  pausedMs,
  resume,
  retarget,
  slaClockView,
  startClock,
  stop,
  type Priority,
  type SlaClock,
  type SlaTargetKind,
} from '@steward/domain';

// ─── Activities ──────────────────────────────────────────────────────────────────────────────

const records = proxyActivities<ActivityInterfaceOf<IncidentActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// Notifications are written to the in-app list and an outbox that the worker delivers to the
// webhook on its own schedule; a failure here is retried a while and then given up, never
// holding the incident.
const notifications = proxyActivities<ActivityInterfaceOf<IncidentActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** The problem context's activities this workflow uses (implemented in activities/problem). */
interface ProblemLinks {
  openProblemForMajorIncident(input: { incidentId: string }): Promise<{ problemId: string }>;
  recordIncidentOccurrence(input: { incidentId: string }): Promise<{ problemId: string | null }>;
  recordReviewActions(input: { incidentId: string; actions: ReviewAction[] }): Promise<void>;
}

const problems = proxyActivities<ProblemLinks>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const SYSTEM = 'steward';
// A clock whose priority has no target (P5) still measures, so a re-classification to a
// priority with a target carries its elapsed and paused time over; it just never breaches.
const NO_TARGET_MS = 100 * 365 * 86_400_000;
const KINDS: SlaTargetKind[] = ['response', 'resolution'];
const FREQUENT_FACTS = new Set(['escalated', 'escalation_exhausted', 'sla_breached', 'sla_stopped', 'stakeholder_update', 'stakeholder_update_missed', 'note']);

/** A duration as people say it: `15 min`, `2 s`, `1 h 30 min`. */
function spoken(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

const refuse = (type: 'invalid' | 'forbidden' | 'conflict', message: string): never => {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
};

/**
 * One incident, from the moment it is reported until it is closed: escalation by its pinned
 * policy until someone acknowledges, SLA clocks that pause while a third party has it and
 * record their breaches when they happen, and for a major incident (P1/P2) a commander within a
 * set time, stakeholder updates on a cadence, handovers that never leave it without a
 * commander, and a blameless review before it closes. Resolving a major incident opens a
 * problem investigation. Every fact is recorded, in order, by an activity.
 */
export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<{ state: IncidentState; problemId: string | null }> {
  const { incidentId, settings, escalationPolicy: policy } = input;
  const openedAt = new Date(input.openedAt);
  const carried = input.carried;

  // ─── State (all of it carried over by continue-as-new) ─────────────────────────────────────
  const incident = new IncidentCase(incidentId, carried?.handling);
  let classification = carried?.classification ?? input.classification;
  let terms = carried?.sla ?? input.sla;
  const clockFor = (kind: SlaTargetKind): SlaClock => {
    const target = terms[kind];
    return startClock({ target: kind, targetMs: target?.targetMs ?? NO_TARGET_MS, calendar: target?.businessHours ? terms.calendar : null, startedAt: openedAt });
  };
  const clocks: Record<SlaTargetKind, SlaClock> = {
    response: carried?.clocks.response ?? clockFor('response'),
    resolution: carried?.clocks.resolution ?? clockFor('resolution'),
  };
  const breaches = carried?.breaches ?? [];
  let escalationNotified = carried?.escalationNotified ?? 0;
  let escalationExhausted = carried?.escalationExhausted ?? false;
  let commanderEscalated = carried?.commanderEscalated ?? false;
  let majorSince = carried?.majorSince ?? (classification.major ? input.openedAt : null);
  let stakeholderAnchor = carried?.stakeholderAnchor ?? majorSince;
  let missedUpdates = carried?.missedUpdates ?? 0;
  let actionsSent = carried?.actionsSent ?? false;
  let problemId = carried?.problemId ?? null;
  let sequence = carried?.sequence ?? 0;
  // Bumped whenever something a timer waits on changes: the timer loops recompute their deadline.
  let version = 0;
  const changed = () => {
    version++;
  };

  const priority = (): Priority => classification.priority;
  const major = () => classification.major;
  const settled = () => incident.settled;
  const closed = () => incident.state === 'closed';
  const plan = escalationPlan(policy, openedAt);

  // ─── Recording, in the order things happened ───────────────────────────────────────────────
  let recording: Promise<void> = Promise.resolve();
  let unwritten = 0;
  const written = (): void => {
    unwritten--;
  };
  const record = (type: string, actor: string, data: Record<string, unknown> = {}, patch: Parameters<IncidentActivities['recordIncident']>[0]['patch'] = {}): Promise<void> => {
    sequence++;
    // The opening fact is dated when the incident was reported, which is when its clocks started.
    const at = type === 'opened' ? input.openedAt : new Date().toISOString();
    const event: Omit<IncidentEventRecord, 'incidentId'> = { eventKey: type === 'opened' ? 'opened' : `${sequence}:${type}`, type, actor, at, data };
    // The read model's snapshot is what GET shows once the workflow has ended; the frequent,
    // timer-driven facts leave it out, which keeps the history (and its replay) small.
    const snapshot = FREQUENT_FACTS.has(type) ? undefined : snapshotNow();
    unwritten++;
    recording = recording.then(() => records.recordIncident({ incidentId, events: [event], patch: snapshot ? { ...patch, snapshot } : patch }));
    // Counted on a branch of its own: the chain the handlers await keeps its timing.
    recording.then(written, written);
    return recording;
  };

  const pendingNotifications = new Set<Promise<void>>();
  const notify = (recipients: string[], kind: string, message: string, dedupeKey: string): void => {
    const sent = notifications
      .notifyIncident({ incidentId, recipients, kind, message: `${incidentId} ${priority()} "${input.title}": ${message}`, dedupeKey: `${incidentId}:${dedupeKey}` })
      .catch(() => undefined)
      .finally(() => pendingNotifications.delete(sent));
    pendingNotifications.add(sent);
  };

  // ─── SLA clocks ──────────────────────────────────────────────────────────────────────────
  const clockView = (kind: SlaTargetKind, now: Date): SlaClockView =>
    slaClockView(clocks[kind], terms[kind] !== null, breaches.some((b) => b.target === kind && b.priority === priority()), now);
  const stopClock = (kind: SlaTargetKind, at: Date): Array<[string, Record<string, unknown>]> => {
    if (clocks[kind].stoppedAt !== null) return [];
    clocks[kind] = stop(clocks[kind], at);
    changed();
    return [['sla_stopped', { target: kind, priority: priority(), targetMs: terms[kind]?.targetMs ?? null, elapsedMs: elapsed(clocks[kind], at), pausedMs: pausedMs(clocks[kind], at), breached: breaches.some((b) => b.target === kind && b.priority === priority()) }]];
  };

  // ─── Snapshot (the query, and the read model's copy) ──────────────────────────────────────
  function snapshotNow(): IncidentSnapshot {
    const now = new Date();
    const cadence = major() ? settings.stakeholderUpdateMs[priority() as 'P1' | 'P2'] : null;
    return {
      incidentId,
      state: incident.state,
      priority: priority(),
      major: major(),
      classification,
      commander: incident.commander,
      resolvers: [...incident.resolvers],
      acknowledgedBy: incident.acknowledgedBy,
      escalation: {
        policy: policy.id,
        version: policy.version,
        level: plan[escalationNotified - 1]?.level ?? 0,
        round: plan[escalationNotified - 1]?.round ?? 0,
        exhausted: escalationExhausted,
      },
      sla: { response: clockView('response', now), resolution: clockView('resolution', now), definition: terms.definition },
      clocks: { response: clocks.response, resolution: clocks.resolution },
      handover: incident.handover,
      stakeholderUpdates: {
        dueAt: cadence !== null && stakeholderAnchor && !settled() ? new Date(Date.parse(stakeholderAnchor) + cadence).toISOString() : null,
        missed: missedUpdates,
        cadenceMs: cadence,
      },
      reviewRequired: incident.reviewRequired,
      reviewRecorded: incident.review !== null,
      problemId,
      asOf: now.toISOString(),
    };
  }

  const carry = (): IncidentCarriedState => ({
    handling: incident.toFacts(),
    classification,
    sla: terms,
    clocks: { response: clocks.response, resolution: clocks.resolution },
    breaches,
    escalationNotified,
    escalationExhausted,
    commanderEscalated,
    majorSince,
    stakeholderAnchor,
    missedUpdates,
    actionsSent,
    problemId,
    sequence,
  });


  // ─── Messages ───────────────────────────────────────────────────────────────────────────
  // The rules are IncidentCase's: validators ask it (a refused message never enters history),
  // handlers apply the act, move the clocks and record the facts.
  const check = (rule: () => void): void => {
    try {
      rule();
    } catch (error) {
      if (error instanceof StewardError) refuse(error.code as 'invalid' | 'forbidden' | 'conflict', error.message);
      throw error;
    }
  };
  const acknowledge = (by: IncidentActor, implicit: boolean): Array<Promise<void>> => {
    const now = new Date();
    if (!incident.acknowledge(by.id, now)) return [];
    changed();
    return [
      record('acknowledged', by.id, implicit ? { implicit: true } : {}, { state: incident.state, acknowledgedAt: now.toISOString() }),
      ...stopClock('response', now).map(([type, data]) => record(type, SYSTEM, data)),
    ];
  };
  const resumeClocks = (now: Date, by: string): void => {
    for (const kind of KINDS) if (clocks[kind].stoppedAt === null && isPaused(clocks[kind], now)) clocks[kind] = resume(clocks[kind], now, by);
  };

  setHandler(incidentStateQuery, snapshotNow);

  setHandler(
    acknowledgeIncidentUpdate,
    async ({ by }) => {
      await Promise.all(acknowledge(by, false));
      return snapshotNow();
    },
    { validator: (_message) => check(() => incident.mayAct()) },
  );

  setHandler(
    assignIncidentUpdate,
    async ({ by, commander, resolvers }) => {
      incident.assign({ commander, resolvers });
      changed();
      await record('assigned', by.id, { commander: incident.commander, resolvers: incident.resolvers }, { commander: incident.commander, resolvers: [...incident.resolvers] });
      return snapshotNow();
    },
    { validator: ({ commander, resolvers }) => check(() => incident.mayAssign({ commander, resolvers })) },
  );

  setHandler(
    postStakeholderUpdateUpdate,
    async ({ by, message }) => {
      stakeholderAnchor = new Date().toISOString();
      changed();
      await record('stakeholder_update', by.id, { message });
      return snapshotNow();
    },
    { validator: (_message) => check(() => incident.mayAct()) },
  );

  setHandler(
    pendIncidentUpdate,
    async ({ by, reason }) => {
      const now = new Date();
      incident.pend();
      for (const kind of KINDS) if (clocks[kind].stoppedAt === null) clocks[kind] = pause(clocks[kind], now, reason, by.id);
      changed();
      await record('pending', by.id, { reason }, { state: incident.state });
      return snapshotNow();
    },
    { validator: (_message) => check(() => incident.mayPend()) },
  );

  setHandler(
    resumeIncidentUpdate,
    async ({ by }) => {
      incident.resume();
      resumeClocks(new Date(), by.id);
      changed();
      await record('resumed', by.id, {}, { state: incident.state });
      return snapshotNow();
    },
    { validator: (_message) => check(() => incident.mayResume()) },
  );

  setHandler(
    resolveIncidentUpdate,
    async ({ by, resolution }) => {
      const now = new Date();
      const acks = acknowledge(by, true);
      if (incident.state === 'pending') resumeClocks(now, by.id);
      incident.resolve(resolution, major());
      const stops = stopClock('resolution', now);
      changed();
      await Promise.all([
        ...acks,
        record('resolved', by.id, { resolution, priority: priority() }, { state: incident.state, resolvedAt: now.toISOString(), resolution }),
        ...stops.map(([type, data]) => record(type, SYSTEM, data)),
      ]);
      return snapshotNow();
    },
    { validator: (_message) => check(() => incident.mayResolve()) },
  );

  setHandler(
    reviewIncidentUpdate,
    async ({ by, review }) => {
      incident.recordReview(review);
      changed();
      await record('review_recorded', by.id, { actions: review.actions.length }, { review });
      return snapshotNow();
    },
    { validator: ({ review }) => check(() => incident.mayRecordReview(review)) },
  );

  setHandler(
    closeIncidentUpdate,
    async ({ by }) => {
      incident.close();
      changed();
      await record('closed', by.id, {}, { state: incident.state, closedAt: new Date().toISOString() });
      return snapshotNow();
    },
    { validator: (_message) => check(() => incident.mayClose(priority())) },
  );

  setHandler(
    reclassifyIncidentUpdate,
    async ({ by, classification: next, sla, reason }) => {
      const from = priority();
      const wasMajor = major();
      classification = next;
      terms = sla;
      for (const kind of KINDS) {
        const target = terms[kind];
        // Elapsed and paused time carry over: same start, same ledger, new target (GLPI 6902, 15605).
        clocks[kind] = retarget(clocks[kind], target?.targetMs ?? NO_TARGET_MS, target?.businessHours ? terms.calendar : null);
      }
      if (major() && !wasMajor) {
        majorSince = new Date().toISOString();
        stakeholderAnchor = majorSince;
        commanderEscalated = false;
      }
      changed();
      await record(
        'reclassified',
        by.id,
        { from, to: priority(), impact: next.impact, urgency: next.urgency, reason, slaDefinition: sla.definition },
        { priority: priority(), major: major(), impact: next.impact.effective, urgency: next.urgency, classification: next },
      );
      return snapshotNow();
    },
    { validator: (_message) => (closed() ? refuse('conflict', `incident ${incidentId} is closed`) : undefined) },
  );

  setHandler(
    proposeHandoverUpdate,
    async ({ by, to }) => {
      const handover = incident.proposeHandover(by.id, to, new Date(), settings.handoverTimeoutMs);
      changed();
      await record('handover_proposed', by.id, { from: by.id, to, expiresAt: handover.expiresAt });
      notify([`user:${to}`], 'handover_proposed', `${by.name} asks you to take command (accept before ${handover.expiresAt})`, `handover:${sequence}`);
      return snapshotNow();
    },
    { validator: ({ by, to }) => check(() => incident.mayProposeHandover(by.id, to)) },
  );

  setHandler(
    acceptHandoverUpdate,
    async ({ by }) => {
      const from = incident.acceptHandover(by.id);
      changed();
      await record('handover_accepted', by.id, { from, to: by.id }, { commander: incident.commander });
      return snapshotNow();
    },
    { validator: ({ by }) => check(() => incident.mayAcceptHandover(by.id)) },
  );

  setHandler(incidentNoteSignal, ({ key, by, note, data }) => {
    void record('note', by, { key, note, ...(data ?? {}) });
  });

  const commanderOrDutyManagers = () => (incident.commander ? [`user:${incident.commander}`] : [`group:${settings.dutyManagerGroup}`]);

  // ─── Timers: each loop re-reads its deadline whenever something it depends on changes ─────
  const waitUntil = async (deadline: number, done: () => boolean): Promise<boolean> => {
    const ms = deadline - Date.now();
    return ms > 0 ? condition(done, ms) : done();
  };

  const escalate = async (): Promise<void> => {
    const acknowledged = () => incident.acknowledgedBy !== null || settled();
    for (let i = escalationNotified; i < plan.length; i++) {
      const step = plan[i];
      if (await waitUntil(step.notifyAt.getTime(), acknowledged)) return;
      escalationNotified = i + 1;
      changed();
      void record('escalated', SYSTEM, { level: step.level, round: step.round, targets: step.targets }, { escalationLevel: step.level });
      notify(step.targets, 'incident_escalated', `level ${step.level} (round ${step.round}): please acknowledge`, `escalation:${i + 1}`);
    }
    if (escalationExhausted || (await waitUntil(plan[plan.length - 1].escalateAt.getTime(), acknowledged))) return;
    escalationExhausted = true;
    void record('escalation_exhausted', SYSTEM, { policy: `${policy.id}@${policy.version}` });
  };

  const watchClock = async (kind: SlaTargetKind): Promise<void> => {
    for (;;) {
      if (clocks[kind].stoppedAt !== null || closed()) return;
      const seen = version;
      const already = breaches.some((b) => b.target === kind && b.priority === priority());
      const due = terms[kind] && !already ? dueAt(clocks[kind], new Date()) : null;
      if (due === null || (await waitUntil(due.getTime(), () => version !== seen))) {
        if (version === seen) await condition(() => version !== seen);
        continue;
      }
      breaches.push({ target: kind, priority: priority() });
      changed();
      void record('sla_breached', SYSTEM, { target: kind, priority: priority(), targetMs: terms[kind]!.targetMs, dueAt: due.toISOString() });
      notify(commanderOrDutyManagers(), 'sla_breached', `${kind} SLA breached (due ${due.toISOString()})`, `breach:${kind}:${priority()}`);
    }
  };

  const watchCommander = async (): Promise<void> => {
    for (;;) {
      await condition(() => settled() || (major() && !incident.commander && !commanderEscalated));
      if (settled()) return;
      const seen = version;
      const deadline = Date.parse(majorSince!) + settings.commanderDeadlineMs;
      if (await waitUntil(deadline, () => version !== seen)) continue;
      commanderEscalated = true;
      changed();
      const group = `group:${settings.dutyManagerGroup}`;
      void record('commander_deadline_missed', SYSTEM, { deadline: new Date(deadline).toISOString(), notified: group });
      notify([group], 'commander_missing', `no incident commander after ${spoken(settings.commanderDeadlineMs)}: assign one now`, 'commander-deadline');
    }
  };

  const watchStakeholderUpdates = async (): Promise<void> => {
    for (;;) {
      await condition(() => settled() || (major() && stakeholderAnchor !== null));
      if (settled()) return;
      const seen = version;
      const due = Date.parse(stakeholderAnchor!) + settings.stakeholderUpdateMs[priority() as 'P1' | 'P2'];
      if (await waitUntil(due, () => version !== seen)) continue;
      // Silence is itself escalated (principle 6): the miss is a recorded fact, the commander is reminded.
      missedUpdates++;
      stakeholderAnchor = new Date(due).toISOString();
      changed();
      void record('stakeholder_update_missed', SYSTEM, { dueAt: stakeholderAnchor, commander: incident.commander });
      notify(commanderOrDutyManagers(), 'stakeholder_update_reminder', `stakeholder update due ${stakeholderAnchor} was missed: post one now`, `update-missed:${missedUpdates}`);
    }
  };

  const watchHandover = async (): Promise<void> => {
    for (;;) {
      await condition(() => incident.handover !== null || closed());
      if (closed()) return;
      const waiting = incident.handover!;
      if (await waitUntil(Date.parse(waiting.expiresAt), () => incident.handover !== waiting || closed())) continue;
      incident.expireHandover(waiting);
      changed();
      void record('handover_expired', SYSTEM, { from: waiting.from, to: waiting.to });
      notify([`user:${waiting.from}`], 'handover_expired', `${waiting.to} did not accept command in time; you remain the commander`, `handover-expired:${waiting.proposedAt}`);
    }
  };

  // ─── Main line ──────────────────────────────────────────────────────────────────────────
  if (!carried) {
    const opened = record(
      'opened',
      SYSTEM,
      {
        priority: priority(),
        major: major(),
        service: input.service,
        category: input.category,
        source: input.source,
        impact: classification.impact,
        urgency: classification.urgency,
        slaDefinition: terms.definition,
        responseTargetMs: terms.response?.targetMs ?? null,
        resolutionTargetMs: terms.resolution?.targetMs ?? null,
        escalationPolicy: `${policy.id}@${policy.version}`,
      },
      { state: incident.state },
    );
    // Paging must not wait for bookkeeping: the first level is notified while the opening fact
    // is still being written (recording keeps the facts in order either way).
    if (!patched('page-without-waiting-for-the-opening-record')) await opened;
    // Counting recurrences belongs to the problem context; the incident does not wait for it.
    void problems
      .recordIncidentOccurrence({ incidentId })
      .then(({ problemId: linked }) => {
        if (linked && !problemId) {
          problemId = linked;
          return record('problem_linked', SYSTEM, { problemId: linked, reason: 'recurrence' }, { problemId: linked });
        }
      })
      .catch(() => undefined);
  }

  void escalate();
  for (const kind of KINDS) void watchClock(kind);
  void watchCommander();
  void watchStakeholderUpdates();
  void watchHandover();

  // A run ends (or hands over) only once nothing is in flight: an update handler still running
  // would be cut off and its caller left without an answer; a fact or a notification scheduled
  // late, by a handler or a timer, would be lost.
  const quiet = async (): Promise<void> => {
    await condition(() => allHandlersFinished() && unwritten === 0 && pendingNotifications.size === 0);
    await recording;
  };

  const handOnIfHistoryIsLong = async (): Promise<void> => {
    await quiet();
    await continueAsNew<typeof incidentWorkflow>({ ...input, carried: carry() });
  };

  // Principle 2: a resolved major incident opens a problem investigation.
  await condition(() => settled() || workflowInfo().continueAsNewSuggested);
  if (!settled()) await handOnIfHistoryIsLong();
  if (incident.reviewRequired && !problemId) {
    problemId = (await problems.openProblemForMajorIncident({ incidentId })).problemId;
    await record('problem_linked', SYSTEM, { problemId, reason: 'major incident resolved' }, { problemId });
  }

  for (;;) {
    await condition(() => closed() || (incident.review !== null && !actionsSent && problemId !== null) || workflowInfo().continueAsNewSuggested);
    const review = incident.review;
    if (review && !actionsSent && problemId && review.actions.length > 0) {
      await problems.recordReviewActions({ incidentId, actions: review.actions });
    }
    if (review && problemId) actionsSent = true;
    if (closed()) break;
    if (workflowInfo().continueAsNewSuggested) await handOnIfHistoryIsLong();
  }

  await quiet();
  return { state: incident.state, problemId };
}
