import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, ProblemIncidentLink, ProblemSnapshot } from '@steward/domain';
import type { ReviewActionsRequest } from './problem.types';

/**
 * Messages of the problem workflow, defined once for the workflow, the activities, the API and
 * the tests. Signals for what other workflows hand over (they must land even while no worker
 * is up); updates for a problem manager's actions, which need a verdict.
 */
export const problemStateQuery = defineQuery<ProblemSnapshot>('problemState');

/** An incident belongs to this problem; a recurrence during observation reopens it. */
export const attachIncidentSignal = defineSignal<[ProblemIncidentLink]>('attachIncident');
/** The actions of a post-incident review, owned and dated. */
export const reviewActionsSignal = defineSignal<[ReviewActionsRequest]>('reviewActions');

export interface ProblemCommand {
  by: Actor;
}

export const investigateProblemUpdate = defineUpdate<ProblemSnapshot, [ProblemCommand & { owner: string; rcaMethod: string }]>('investigateProblem');
export const recordRootCauseUpdate = defineUpdate<ProblemSnapshot, [ProblemCommand & { rcaMethod?: string; findings: string; rootCause: string }]>('recordRootCause');
/** The workaround is published as a knowledge article before the state moves. */
export const declareKnownErrorUpdate = defineUpdate<ProblemSnapshot, [ProblemCommand & { workaround: string; title?: string }]>('declareKnownError');
export const startFixUpdate = defineUpdate<ProblemSnapshot, [ProblemCommand & { changeId: string }]>('startFix');
export const completeProblemActionUpdate = defineUpdate<ProblemSnapshot, [ProblemCommand & { actionId: string }]>('completeProblemAction');
export const closeProblemUpdate = defineUpdate<ProblemSnapshot, [ProblemCommand]>('closeProblem');
