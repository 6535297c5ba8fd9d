import type { ChangeWorkflow, IncidentWorkflow, ProblemWorkflow } from '@steward/contracts';
import { changeWorkflow } from './change/change.workflow';
import { incidentWorkflow } from './incident/incident.workflow';
import { problemWorkflow } from './problem/problem.workflow';

export { changeWorkflow } from './change/change.workflow';
export * from './incident/incident.workflow';
export * from './problem/problem.workflow';

// Code below the workflows (activities, libs) starts a workflow by its type in libs/contracts:
// importing the workflow would close a cycle through the activity types it imports. Each
// workflow must keep the type its starters rely on.
changeWorkflow satisfies ChangeWorkflow;
incidentWorkflow satisfies IncidentWorkflow;
problemWorkflow satisfies ProblemWorkflow;
