import type { changeWorkflowDefinition, incidentWorkflowDefinition, problemWorkflowDefinition, WorkflowOf } from '@steward/contracts';
export { changeWorkflow } from './change/change.workflow';
export * from './incident/incident.workflow';
export * from './problem/problem.workflow';

// Callers start workflows by their definitions in @steward/contracts, never by loading this
// code: a workflow whose signature drifts from its definition fails to compile here.
import type { changeWorkflow } from './change/change.workflow';
import type { incidentWorkflow } from './incident/incident.workflow';
import type { problemWorkflow } from './problem/problem.workflow';

type Implements<Workflow extends Definition, Definition> = Workflow;
export type WorkflowsImplementTheirDefinitions = [
  Implements<typeof changeWorkflow, WorkflowOf<typeof changeWorkflowDefinition>>,
  Implements<typeof incidentWorkflow, WorkflowOf<typeof incidentWorkflowDefinition>>,
  Implements<typeof problemWorkflow, WorkflowOf<typeof problemWorkflowDefinition>>,
];
