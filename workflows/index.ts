export { changeWorkflow } from './change/change.workflow';
export * from './incident/incident.workflow';
export * from './problem/problem.workflow';
