export * from './step-executor';
export * from './target-policy';
export * from './request-signature';
export * from './executor-settings';
export * from './simulated.executor';
export * from './http.executor';
export * from './executor-registry';
export * from './executors.module';
