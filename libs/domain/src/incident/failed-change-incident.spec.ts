import { failedChangeIncident, failedChangeService, type ChangeFailureFacts } from './failed-change-incident';

const cis = [
  { key: 'app-catalog', environment: 'staging' },
  { key: 'db-payments', environment: 'production' },
  { key: 'app-payments-api', environment: 'production' },
];

const failure = (over: Partial<ChangeFailureFacts> = {}): ChangeFailureFacts => ({
  changeId: 'CHG-000042',
  title: 'Upgrade the payments API',
  endState: 'rolled_back',
  reason: 'health check failed',
  failedStep: 'deploy',
  productionCi: 'app-payments-api',
  incidentId: null,
  ...over,
});

describe('failedChangeService', () => {
  it("is the first production CI in the change's own order", () => {
    expect(failedChangeService(['app-catalog', 'app-payments-api', 'db-payments'], cis)).toBe('app-payments-api');
    expect(failedChangeService(['db-payments', 'app-payments-api'], cis)).toBe('db-payments');
  });

  it('is null when no CI of the change is in production', () => {
    expect(failedChangeService(['app-catalog'], cis)).toBeNull();
    expect(failedChangeService(['unknown-ci'], cis)).toBeNull();
  });
});

describe('failedChangeIncident', () => {
  it('opens an incident on the production CI, at impact 2 and urgency 2, under a fingerprint of the change', () => {
    expect(failedChangeIncident(failure())).toEqual({
      title: 'Change CHG-000042 ended rolled_back',
      description: '"Upgrade the payments API" ended rolled_back: health check failed\nFailed step: deploy.',
      service: 'app-payments-api',
      impact: 2,
      urgency: 2,
      reportedBy: 'steward',
      source: 'failed_change',
      changeId: 'CHG-000042',
      alertFingerprint: 'change-failure:CHG-000042',
    });
  });

  it('leaves the failed step out when no step failed', () => {
    expect(failedChangeIncident(failure({ failedStep: null }))?.description).toBe('"Upgrade the payments API" ended rolled_back: health check failed');
  });

  it('opens none when no CI is in production', () => {
    expect(failedChangeIncident(failure({ productionCi: null }))).toBeUndefined();
  });

  it('opens none a second time', () => {
    expect(failedChangeIncident(failure({ incidentId: 'INC-000007' }))).toBeUndefined();
  });
});
