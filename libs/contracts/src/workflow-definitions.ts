import type { ChangeOutcome, ChangeWorkflowInput } from './change/change.types';
import type { IncidentOutcome, IncidentWorkflowInput } from './incident/incident.types';
import type { ProblemOutcome, ProblemWorkflowInput } from './problem/problem.types';

/**
 * A workflow type as callers know it: its registered name, and its signature as a type only.
 * Starting through a definition checks the arguments at compile time without loading the
 * workflow code (which only the worker's bundle holds); `workflows/index.ts` checks that each
 * workflow function matches its definition.
 */
export interface WorkflowDefinition<Input, Output> {
  readonly name: string;
  /** Never set: carries the signature for the compiler. */
  readonly signature?: WorkflowSignature<Input, Output>;
}

/** Every Steward workflow takes one object parameter. */
export type WorkflowSignature<Input, Output> = (input: Input) => Promise<Output>;

export function defineWorkflow<Input, Output>(name: string): WorkflowDefinition<Input, Output> {
  return { name };
}

/** The signature a definition stands for. */
export type WorkflowOf<D> = D extends WorkflowDefinition<infer Input, infer Output> ? WorkflowSignature<Input, Output> : never;

export const changeWorkflowDefinition = defineWorkflow<ChangeWorkflowInput, ChangeOutcome>('changeWorkflow');
export const incidentWorkflowDefinition = defineWorkflow<IncidentWorkflowInput, IncidentOutcome>('incidentWorkflow');
export const problemWorkflowDefinition = defineWorkflow<ProblemWorkflowInput, ProblemOutcome>('problemWorkflow');
