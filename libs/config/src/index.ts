export * from './steward-config';
export * from './process-options';
export * from './known-secrets';
export * from './executor-credentials';
