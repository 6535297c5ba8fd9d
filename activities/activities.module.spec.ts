import { ACTIVITY_CLASSES, collectActivities } from './activities.module';

/**
 * Every name the worker registers is an activity any workflow on the task queue may schedule:
 * the list below is that attack surface, on purpose. A helper method that lands on a class's
 * prototype (a TypeScript `private` does) would be callable by a rogue workflow; it fails here.
 */
describe('collectActivities', () => {
  const registered = () => {
    const app = { get: <T>(type: new (...args: never[]) => T) => Object.create(type.prototype) as T };
    return Object.keys(collectActivities(app as Parameters<typeof collectActivities>[0])).sort();
  };

  it('registers exactly the activities the workflows call, and no helper', () => {
    expect(registered()).toEqual(
      [
        'acceptDecision',
        'assessChange',
        'attachProblemIncident',
        'authorizeImplementation',
        'blockingFreezes',
        'completeChange',
        'completeProblemAction',
        'escalateOverdueAction',
        'fixChangeState',
        'notifyApprovers',
        'notifyIncident',
        'openProblemForMajorIncident',
        'publishKnownError',
        'recordChangeTransition',
        'recordDecision',
        'recordFailure',
        'recordIncident',
        'recordIncidentOccurrence',
        'recordNote',
        'recordProblemFact',
        'recordRefusal',
        'recordReviewActions',
        'recordStepState',
        'revisePlan',
        'runStep',
        'saveProblemActions',
        'scheduleChange',
        'verifyDecision',
        'voidApprovals',
      ].sort(),
    );
  });

  it('covers every activity class', () => {
    expect(ACTIVITY_CLASSES.map((c) => c.name).sort()).toEqual(['ChangeActivities', 'ChangeExecutionActivities', 'IncidentActivities', 'ProblemActivities']);
  });
});
