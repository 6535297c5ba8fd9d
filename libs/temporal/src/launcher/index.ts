export * from './workflow-launcher';
export * from './incident-launcher';
