export * from './task-queue';
export * from './change/change.types';
export * from './change/change.messages';
export * from './change/approval.types';
export * from './incident/incident.types';
export * from './incident/incident.messages';
export * from './problem/problem.types';
export * from './problem/problem.messages';
