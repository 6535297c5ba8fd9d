export { changeWorkflow } from './change/change.workflow';
export * from './incident/incident.workflow';
