import type { IncidentSlaTerms, PostIncidentReview } from './incident-vocabulary';
import { StewardError } from '../steward-error';
import { IncidentCase, type IncidentCaseFacts, type IncidentStart } from './incident-case';
import type { IncidentClassification } from './priority';

const refusal = (act: () => void): { code: string; message: string } | null => {
  try {
    act();
    return null;
  } catch (error) {
    if (error instanceof StewardError) return { code: error.code, message: error.message };
    throw error;
  }
};

const review = (overrides: Partial<PostIncidentReview> = {}): PostIncidentReview => ({
  timeline: [{ at: '2026-11-30T09:12:00Z', event: 'Alert fired' }],
  impact: 'Checkout refused for 12 minutes',
  contributingFactors: ['Pool default lowered by the driver upgrade'],
  whatWentWell: ['Fast rollback'],
  actions: [{ title: 'Alert on pool saturation', owner: 'erin', dueDate: '2026-12-15' }],
  ...overrides,
});

const P3: IncidentClassification = { priority: 'P3', major: false, impact: { reported: 2, effective: 2 }, urgency: 2 };
const P1: IncidentClassification = { priority: 'P1', major: true, impact: { reported: 1, effective: 1 }, urgency: 1 };
const P3_TERMS: IncidentSlaTerms = { response: { targetMs: 3_600_000, businessHours: false }, resolution: { targetMs: 8 * 3_600_000, businessHours: false }, calendar: null, definition: 'default/P3@1' };
const P1_TERMS: IncidentSlaTerms = { response: { targetMs: 900_000, businessHours: false }, resolution: { targetMs: 4 * 3_600_000, businessHours: false }, calendar: null, definition: 'default/P1@1' };
const OPENED = '2026-11-30T09:00:00.000Z';
const start = (overrides: Partial<IncidentStart> = {}): IncidentStart => ({ incidentId: 'INC-000001', openedAt: OPENED, classification: P3, sla: P3_TERMS, ...overrides });
/** A case in the middle of its handling, as a continued run would get it. */
const caseWith = (handling: Partial<IncidentCaseFacts>, overrides: Partial<IncidentStart> = {}) => IncidentCase.resume(start(overrides), { handling });
const at = (minutes: number) => new Date(Date.parse(OPENED) + minutes * 60_000);

describe('IncidentCase', () => {
  it('counts the first acknowledgement only and starts the work', () => {
    const incident = IncidentCase.open(start());
    expect(incident.acknowledge('ivan', new Date('2026-11-30T10:00:00Z'))).toBe(true);
    expect(incident.acknowledge('heidi', new Date('2026-11-30T10:05:00Z'))).toBe(false);
    expect(incident.toFacts()).toMatchObject({ state: 'in_progress', acknowledgedBy: 'ivan', acknowledgedAt: '2026-11-30T10:00:00.000Z' });
  });

  it('never lets the commander be a resolver, whichever side changes', () => {
    const incident = IncidentCase.open(start());
    expect(refusal(() => incident.mayAssign({ commander: 'ivan', resolvers: ['ivan'] }))).toEqual({ code: 'invalid', message: expect.stringContaining('may not be a resolver') });
    incident.assign({ commander: 'judy', resolvers: ['ivan'] });
    expect(refusal(() => incident.mayAssign({ resolvers: ['ivan', 'judy'] }))?.code).toBe('invalid');
    expect(refusal(() => incident.mayAssign({ resolvers: ['ivan', 'erin'] }))).toBeNull();
  });

  it('changes a sitting commander only by a handover the new one accepts', () => {
    const incident = caseWith({ commander: 'judy', resolvers: ['ivan'] });
    expect(refusal(() => incident.mayAssign({ commander: 'ken' }))?.code).toBe('conflict');
    expect(refusal(() => incident.mayProposeHandover('ken', 'grace'))?.code).toBe('forbidden');
    expect(refusal(() => incident.mayProposeHandover('judy', 'ivan'))?.code).toBe('invalid');
    expect(refusal(() => incident.mayProposeHandover('judy', 'judy'))?.code).toBe('invalid');

    const proposal = incident.proposeHandover('judy', 'ken', new Date('2026-11-30T10:00:00Z'), 15 * 60_000);
    expect(proposal).toEqual({ from: 'judy', to: 'ken', proposedAt: '2026-11-30T10:00:00.000Z', expiresAt: '2026-11-30T10:15:00.000Z' });
    expect(incident.commander).toBe('judy');
    expect(refusal(() => incident.mayProposeHandover('judy', 'grace'))?.code).toBe('conflict');
    expect(refusal(() => incident.mayAcceptHandover('grace'))?.code).toBe('forbidden');

    expect(incident.acceptHandover('ken')).toBe('judy');
    expect([incident.commander, incident.handover]).toEqual(['ken', null]);
    expect(incident.expireHandover(proposal)).toBe(false);
  });

  it('withdraws a handover that lapses and keeps the commander', () => {
    const incident = caseWith({ commander: 'judy' });
    const proposal = incident.proposeHandover('judy', 'ken', new Date(), 1_000);
    expect(incident.expireHandover(proposal)).toBe(true);
    expect([incident.commander, incident.handover]).toEqual(['judy', null]);
    expect(refusal(() => incident.mayAcceptHandover('ken'))?.code).toBe('conflict');
  });

  it('goes pending and comes back to where it was', () => {
    const incident = IncidentCase.open(start());
    incident.pend(at(5), 'vendor', 'judy');
    expect(incident.state).toBe('pending');
    expect(refusal(() => incident.mayPend())?.code).toBe('conflict');
    incident.resume(at(10), 'judy');
    expect(incident.state).toBe('new');
    expect(refusal(() => incident.mayResume())?.code).toBe('conflict');
  });

  it('closes a major incident only with its blameless review, recorded once after resolution', () => {
    const incident = caseWith({ commander: 'judy', resolvers: ['ivan'] }, { classification: P1, sla: P1_TERMS });
    expect(refusal(() => incident.mayRecordReview(review()))?.code).toBe('conflict');
    expect(refusal(() => incident.mayClose('P1'))?.code).toBe('conflict');
    incident.resolve('Rolled back', at(30), 'ivan');
    expect(refusal(() => incident.mayClose('P1'))).toEqual({ code: 'conflict', message: 'a P1 incident needs its blameless post-incident review before it is closed' });
    expect(refusal(() => incident.mayRecordReview(review({ rootCause: 'root cause: Ivan' })))?.code).toBe('invalid');
    expect(refusal(() => incident.mayRecordReview(review({ contributingFactors: ['judy'] })))?.message).toMatch(/contributingFactors\[0\]/);
    expect(refusal(() => incident.mayRecordReview(review()))).toBeNull();
    incident.recordReview(review());
    expect(refusal(() => incident.mayRecordReview(review()))?.code).toBe('conflict');
    expect(refusal(() => incident.mayClose('P1'))).toBeNull();
    incident.close();
    expect(refusal(() => incident.mayAct())?.code).toBe('conflict');
  });

  it('closes a minor incident without a review', () => {
    const incident = IncidentCase.open(start({ incidentId: 'INC-000002' }));
    incident.resolve('Restarted', at(30), 'ivan');
    expect(incident.reviewRequired).toBe(false);
    expect(refusal(() => incident.mayClose('P4'))).toBeNull();
  });

  it('keeps its facts apart from the caller’s objects', () => {
    const resolvers = ['ivan'];
    const incident = caseWith({ resolvers }, { incidentId: 'INC-000003' });
    resolvers.push('judy');
    expect(incident.resolvers).toEqual(['ivan']);
    const facts = incident.toFacts();
    facts.resolvers.push('x');
    expect(incident.resolvers).toEqual(['ivan']);
  });

  describe('what a run carries over', () => {
    it('opens with both clocks running from the report, and a major incident’s command process started', () => {
      const carried = IncidentCase.open(start({ classification: P1, sla: P1_TERMS })).carry();
      expect(carried.clocks.response).toMatchObject({ target: 'response', targetMs: 900_000, startedAt: OPENED, stoppedAt: null, pauses: [] });
      expect(carried.clocks.resolution).toMatchObject({ target: 'resolution', targetMs: 4 * 3_600_000, startedAt: OPENED });
      expect(carried).toMatchObject({ majorSince: OPENED, stakeholderAnchor: OPENED, escalationNotified: 0, sequence: 0, problemId: null, handling: { state: 'new' } });
      expect(IncidentCase.open(start()).carry()).toMatchObject({ majorSince: null, stakeholderAnchor: null });
    });

    it('hands over everything it holds as one value, and resumes from it as it was', () => {
      const incident = IncidentCase.open(start({ classification: P1, sla: P1_TERMS }));
      incident.assign({ commander: 'judy', resolvers: ['ivan'] });
      incident.pend(at(5), 'vendor', 'judy');
      incident.resume(at(15), 'judy');
      incident.escalated(2);
      incident.exhaustEscalation();
      incident.recordBreach('response');
      incident.commanderDeadlineMissed();
      incident.stakeholderUpdateMissed(at(30));
      incident.linkProblem('PRB-000007');
      incident.nextEventNumber();
      incident.nextEventNumber();
      const carried = incident.carry();

      const next = IncidentCase.resume(start({ classification: P1, sla: P1_TERMS }), JSON.parse(JSON.stringify(carried)));
      expect(next.carry()).toEqual(carried);
      expect([next.commander, next.escalationNotified, next.escalationExhausted, next.breached('response'), next.awaitsCommander, next.missedUpdates, next.problemId]).toEqual(['judy', 2, true, true, false, 1, 'PRB-000007']);
      expect(next.nextEventNumber()).toBe(3);
      expect(next.clock('resolution').pauses).toEqual([expect.objectContaining({ reason: 'vendor', from: at(5).toISOString(), until: at(15).toISOString() })]);
    });

    it('gives what an older run did not carry its first value', () => {
      const next = IncidentCase.resume(start({ classification: P1, sla: P1_TERMS }), { handling: { state: 'in_progress', commander: 'judy' }, sequence: 12 });
      expect(next.carry()).toMatchObject({ handling: { state: 'in_progress', commander: 'judy', resolvers: [], review: null }, sequence: 12, missedUpdates: 0, actionsSent: false, breaches: [], majorSince: OPENED, stakeholderAnchor: OPENED });
      expect(next.clock('response')).toMatchObject({ startedAt: OPENED, stoppedAt: null });
    });

    it('hands out copies: changing the carried value changes nothing in the case', () => {
      const incident = IncidentCase.open(start());
      const carried = incident.carry();
      carried.breaches.push({ target: 'response', priority: 'P3' });
      carried.handling.resolvers.push('x');
      expect(incident.breached('response')).toBe(false);
      expect(incident.resolvers).toEqual([]);
    });
  });

  describe('SLA clocks', () => {
    it('pauses the running clocks while pending and resumes them, keeping reason and who', () => {
      const incident = IncidentCase.open(start());
      incident.pend(at(5), 'vendor', 'judy');
      expect(incident.clockView('response', at(10))).toMatchObject({ paused: true, elapsedMs: 5 * 60_000 });
      incident.resume(at(20), 'ivan');
      expect(incident.clockView('response', at(30))).toMatchObject({ paused: false, elapsedMs: 15 * 60_000, pausedMs: 15 * 60_000 });
      expect(incident.clock('resolution').pauses).toEqual([expect.objectContaining({ reason: 'vendor', by: 'judy', from: at(5).toISOString(), until: at(20).toISOString() })]);
    });

    it('resumes the clocks of a pending incident when it is resolved', () => {
      const incident = IncidentCase.open(start());
      incident.pend(at(5), 'vendor', 'judy');
      incident.resolve('Vendor fixed it', at(25), 'ivan');
      expect(incident.clockView('resolution', at(25))).toMatchObject({ paused: false, pausedMs: 20 * 60_000 });
    });

    it('stops a clock once and says what it measured', () => {
      const incident = IncidentCase.open(start());
      expect(incident.stopClock('response', at(12))).toEqual({ target: 'response', priority: 'P3', targetMs: 3_600_000, elapsedMs: 12 * 60_000, pausedMs: 0, breached: false });
      expect(incident.stopClock('response', at(20))).toBeNull();
      expect(incident.clock('response').stoppedAt).toBe(at(12).toISOString());
    });

    it('breaches once per priority: a re-classification measures the new target afresh, on the same clock', () => {
      const incident = IncidentCase.open(start());
      expect(incident.breachDue('response', at(0))).toEqual(at(60));
      incident.recordBreach('response');
      expect(incident.breachDue('response', at(61))).toBeNull();
      expect(incident.reclassify(P1, P1_TERMS, at(70))).toBe('P3');
      expect(incident.breached('response')).toBe(false);
      expect(incident.breachDue('response', at(70))).toEqual(at(15));
      expect(incident.clock('response').startedAt).toBe(OPENED);
    });

    it('has no breach due for a priority without a target', () => {
      const incident = IncidentCase.open(start({ sla: { ...P3_TERMS, response: null } }));
      expect(incident.breachDue('response', at(0))).toBeNull();
      expect(incident.clockView('response', at(0))).toMatchObject({ targetMs: null, dueAt: null });
    });
  });

  describe('major incident', () => {
    it('starts its command process when a re-classification makes it major, and not again', () => {
      const incident = IncidentCase.open(start());
      expect(incident.awaitsCommander).toBe(false);
      incident.reclassify(P1, P1_TERMS, at(10));
      expect([incident.majorSince, incident.stakeholderAnchor, incident.awaitsCommander]).toEqual([at(10).toISOString(), at(10).toISOString(), true]);
      incident.commanderDeadlineMissed();
      expect(incident.awaitsCommander).toBe(false);
      incident.reclassify({ ...P1, priority: 'P2' }, P1_TERMS, at(20));
      expect(incident.majorSince).toBe(at(10).toISOString());
    });

    it('counts a missed stakeholder update and expects the next a cadence after the one missed', () => {
      const incident = IncidentCase.open(start({ classification: P1, sla: P1_TERMS }));
      incident.stakeholderUpdateMissed(at(30));
      expect([incident.missedUpdates, incident.stakeholderAnchor]).toEqual([1, at(30).toISOString()]);
      incident.stakeholderUpdatePosted(at(42));
      expect([incident.missedUpdates, incident.stakeholderAnchor]).toEqual([1, at(42).toISOString()]);
    });

    it('hands the review’s actions to the problem once, when both exist', () => {
      const incident = caseWith({ commander: 'judy' }, { classification: P1, sla: P1_TERMS });
      incident.resolve('Rolled back', at(30), 'ivan');
      incident.recordReview(review());
      expect(incident.reviewActionsDue).toBe(false);
      incident.linkProblem('PRB-000001');
      expect(incident.reviewActionsDue).toBe(true);
      expect(incident.reviewActionsSent()).toEqual(review().actions);
      expect(incident.reviewActionsDue).toBe(false);
    });
  });

  it('stops paging once acknowledged or resolved', () => {
    const incident = IncidentCase.open(start());
    expect(incident.escalationAnswered).toBe(false);
    incident.acknowledge('ivan', at(3));
    expect(incident.escalationAnswered).toBe(true);
    const unanswered = IncidentCase.open(start());
    unanswered.resolve('Went away', at(5), 'ivan');
    expect(unanswered.escalationAnswered).toBe(true);
  });

  it('refuses a re-classification of a closed incident only', () => {
    const incident = IncidentCase.open(start());
    incident.resolve('Restarted', at(5), 'ivan');
    expect(refusal(() => incident.mayReclassify())).toBeNull();
    incident.close();
    expect(refusal(() => incident.mayReclassify())).toEqual({ code: 'conflict', message: 'incident INC-000001 is closed' });
  });
});
