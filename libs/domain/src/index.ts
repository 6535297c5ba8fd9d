/*
 * The vocabularies every layer speaks (states, plans, settings, actors) are defined here and
 * re-exported by libs/contracts; domain imports nothing of ours but itself (.dependency-cruiser.cjs).
 */
export * from './actor';
export * from './change/change-vocabulary';
export * from './change/approval-vocabulary';
export * from './cmdb/cmdb-vocabulary';
export * from './incident/incident-vocabulary';
export * from './problem/problem-vocabulary';
export * from './change/change-lifecycle';
export * from './change/change-number';
export * from './change/canonical-json';
export * from './steward-error';
export * from './change/plan-rules';
export * from './change/plan-secrets';
export * from './cmdb/drift';
export * from './cmdb/cmdb-access';
export * from './change/approval-policy';
export * from './change/risk';
export * from './incident';
export * from './problem';
export * from './report';
export * from './audit';
export * from './change/execution-authorization';
export * from './change/segregation-of-duties';
export * from './change/change-case';
export * from './change/approval-record';
export * from './change/assessment';
export * from './change/standard-template';
