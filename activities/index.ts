export * from './activity-interface';
export * from './change/change.activities';
export * from './change/change-execution.activities';
export * from './change/change-run-binding';
export * from './activities.module';
export * from './domain-error.interceptor';
export * from './incident/incident.activities';
export * from './problem/problem.activities';
