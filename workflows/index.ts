import type { ProblemWorkflow } from '@steward/contracts';
import { problemWorkflow } from './problem/problem.workflow';

export { changeWorkflow } from './change/change.workflow';
export * from './incident/incident.workflow';
export * from './problem/problem.workflow';

// Activities start the problem workflow by its type in libs/contracts (importing it would close a
// cycle through the activity types the workflow imports): the workflow must keep that type.
problemWorkflow satisfies ProblemWorkflow;
