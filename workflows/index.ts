export { changeWorkflow } from './change/change.workflow';
