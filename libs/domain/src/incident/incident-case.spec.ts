import type { PostIncidentReview } from './incident-vocabulary';
import { StewardError } from '../steward-error';
import { IncidentCase } from './incident-case';

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

describe('IncidentCase', () => {
  it('counts the first acknowledgement only and starts the work', () => {
    const incident = new IncidentCase('INC-000001');
    expect(incident.acknowledge('ivan', new Date('2026-11-30T10:00:00Z'))).toBe(true);
    expect(incident.acknowledge('heidi', new Date('2026-11-30T10:05:00Z'))).toBe(false);
    expect(incident.toFacts()).toMatchObject({ state: 'in_progress', acknowledgedBy: 'ivan', acknowledgedAt: '2026-11-30T10:00:00.000Z' });
  });

  it('never lets the commander be a resolver, whichever side changes', () => {
    const incident = new IncidentCase('INC-000001');
    expect(refusal(() => incident.mayAssign({ commander: 'ivan', resolvers: ['ivan'] }))).toEqual({ code: 'invalid', message: expect.stringContaining('may not be a resolver') });
    incident.assign({ commander: 'judy', resolvers: ['ivan'] });
    expect(refusal(() => incident.mayAssign({ resolvers: ['ivan', 'judy'] }))?.code).toBe('invalid');
    expect(refusal(() => incident.mayAssign({ resolvers: ['ivan', 'erin'] }))).toBeNull();
  });

  it('changes a sitting commander only by a handover the new one accepts', () => {
    const incident = new IncidentCase('INC-000001', { commander: 'judy', resolvers: ['ivan'] });
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
    const incident = new IncidentCase('INC-000001', { commander: 'judy' });
    const proposal = incident.proposeHandover('judy', 'ken', new Date(), 1_000);
    expect(incident.expireHandover(proposal)).toBe(true);
    expect([incident.commander, incident.handover]).toEqual(['judy', null]);
    expect(refusal(() => incident.mayAcceptHandover('ken'))?.code).toBe('conflict');
  });

  it('goes pending and comes back to where it was', () => {
    const incident = new IncidentCase('INC-000001');
    incident.pend();
    expect(incident.state).toBe('pending');
    expect(refusal(() => incident.mayPend())?.code).toBe('conflict');
    incident.resume();
    expect(incident.state).toBe('new');
    expect(refusal(() => incident.mayResume())?.code).toBe('conflict');
  });

  it('closes a major incident only with its blameless review, recorded once after resolution', () => {
    const incident = new IncidentCase('INC-000001', { commander: 'judy', resolvers: ['ivan'] });
    expect(refusal(() => incident.mayRecordReview(review()))?.code).toBe('conflict');
    expect(refusal(() => incident.mayClose('P1'))?.code).toBe('conflict');
    incident.resolve('Rolled back', true);
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
    const incident = new IncidentCase('INC-000002');
    incident.resolve('Restarted', false);
    expect(refusal(() => incident.mayClose('P4'))).toBeNull();
  });

  it('keeps its facts apart from the caller’s objects', () => {
    const resolvers = ['ivan'];
    const incident = new IncidentCase('INC-000003', { resolvers });
    resolvers.push('judy');
    expect(incident.resolvers).toEqual(['ivan']);
    const facts = incident.toFacts();
    facts.resolvers.push('x');
    expect(incident.resolvers).toEqual(['ivan']);
  });
});
