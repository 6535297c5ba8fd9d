export * from './change/change-lifecycle';
export * from './change/change-number';
export * from './change/canonical-json';
export * from './steward-error';
export * from './change/plan-rules';
export * from './cmdb/drift';
export * from './cmdb/cmdb-access';
