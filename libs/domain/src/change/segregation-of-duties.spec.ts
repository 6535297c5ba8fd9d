import { approvalSodRefusal, implementationSodRefusal, isSodImplementerMode, planAuthorsOf, SOD_RULES } from './segregation-of-duties';

describe('segregation of duties: approvals', () => {
  it('lets someone who is neither requester nor plan author approve', () => {
    expect(approvalSodRefusal({ approverId: 'bob', requesterId: 'alice', planAuthors: ['erin'] })).toBeUndefined();
  });

  it('refuses the requester', () => {
    expect(approvalSodRefusal({ approverId: 'alice', requesterId: 'alice' })).toMatchObject({ code: 'forbidden', message: 'requester cannot approve own change' });
  });

  it('refuses the author of the plan revision being approved', () => {
    expect(approvalSodRefusal({ approverId: 'dave', requesterId: 'alice', planAuthors: ['dave'] })).toMatchObject({ rule: 'planAuthorApproves', message: SOD_RULES.planAuthorApproves });
  });

  it('refuses a service account before anything else, naming the rule', () => {
    expect(approvalSodRefusal({ approverId: 'service:deployer', approverIsServiceAccount: true, requesterId: 'alice' })?.message).toBe('approvers are people: service accounts cannot vote');
  });
});

describe('segregation of duties: implementation', () => {
  const base = { requesterId: 'alice', mode: 'distinct' as const };

  it('refuses the requester completing a manual step, and deciding a hold, when distinct', () => {
    expect(implementationSodRefusal({ ...base, actorId: 'alice', action: 'complete_step' })?.rule).toBe('requesterCompletesStep');
    expect(implementationSodRefusal({ ...base, actorId: 'alice', action: 'decide_hold' })?.rule).toBe('requesterDecidesHold');
  });

  it('lets someone else act when distinct, and the requester when any', () => {
    expect(implementationSodRefusal({ ...base, actorId: 'erin', action: 'complete_step' })).toBeUndefined();
    expect(implementationSodRefusal({ ...base, mode: 'any', actorId: 'alice', action: 'complete_step' })).toBeUndefined();
    expect(implementationSodRefusal({ ...base, mode: 'any', actorId: 'alice', action: 'decide_hold' })).toBeUndefined();
  });

  it('never lets a service account decide a hold, even with any', () => {
    expect(implementationSodRefusal({ ...base, mode: 'any', actorId: 'service:ci', actorIsServiceAccount: true, action: 'decide_hold' })?.rule).toBe('serviceAccountDecidesHold');
  });

  it('refuses a pipeline that submitted the change completing its steps when distinct', () => {
    expect(implementationSodRefusal({ ...base, requesterId: 'service:ci', actorId: 'service:ci', actorIsServiceAccount: true, action: 'complete_step' })?.rule).toBe('requesterCompletesStep');
  });
});

describe('plan authors and settings', () => {
  it('names everyone who revised the plan to the current hash, once', () => {
    const revisions = [
      { actor: 'dave', planHash: 'h1' },
      { actor: 'erin', planHash: 'h2' },
      { actor: 'dave', planHash: 'h2' },
      { actor: 'dave', planHash: 'h2' },
    ];
    expect(planAuthorsOf(revisions, 'h2')).toEqual(['erin', 'dave']);
    expect(planAuthorsOf(revisions, 'h3')).toEqual([]);
  });

  it('accepts only the two modes', () => {
    expect(isSodImplementerMode('distinct')).toBe(true);
    expect(isSodImplementerMode('any')).toBe(true);
    expect(isSodImplementerMode('none')).toBe(false);
  });
});
