import { blameFindings, type ReviewText } from './review';

const blameless: ReviewText = {
  impact: 'Payments were refused for 42 minutes in EU regions',
  contributingFactors: ['Connection pool exhausted after a config change lowered max connections', 'No alert on pool saturation'],
  whatWentWell: ['Rollback took 4 minutes'],
  rootCause: 'Pool size default changed in the driver upgrade',
  timeline: [{ event: 'Alert fired on error rate' }, { event: 'Bob rolled back the release' }],
};

describe('blameless review', () => {
  it('accepts a review that names conditions, and a timeline that says who did what', () => {
    expect(blameFindings(blameless, ['bob', 'Bob Builder'])).toEqual([]);
  });

  it.each([
    ['root cause: Bob', 'rootCause'],
    ['Root cause was @bob', 'rootCause'],
    ['caused by user:carol', 'rootCause'],
    ["It was Dave's fault", 'rootCause'],
    ['human error during deploy', 'rootCause'],
  ])('refuses %j with the field named', (rootCause, field) => {
    const findings = blameFindings({ ...blameless, rootCause });
    expect(findings.map((f) => f.field)).toEqual([field]);
    expect(findings[0].message).toMatch(/blameless/);
  });

  it('refuses a contributing factor naming someone involved in the incident', () => {
    const findings = blameFindings({ ...blameless, contributingFactors: ['ok factor', 'erin'] }, ['erin']);
    expect(findings).toEqual([expect.objectContaining({ field: 'contributingFactors[1]' })]);
  });

  it('refuses blame words anywhere in the text fields', () => {
    expect(blameFindings({ ...blameless, impact: 'Customers hurt; the on-call engineer is to blame' }).map((f) => f.field)).toEqual(['impact']);
  });

  it('does not mistake a system noun phrase for a name', () => {
    expect(blameFindings({ ...blameless, rootCause: 'root cause: DNS TTL too long on the failover record' })).toEqual([]);
    expect(blameFindings({ ...blameless, contributingFactors: ['caused by a missing index on orders.created_at'] })).toEqual([]);
  });
});
