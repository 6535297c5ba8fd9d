export * from './task-queue';
export * from './change/change.types';
export * from './change/change.messages';
export * from './change/approval.types';
export * from './incident/incident.types';
export * from './incident/incident.messages';
