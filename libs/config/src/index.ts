export * from './steward-config';
export * from './process-options';
