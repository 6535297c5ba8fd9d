export * from './toolchain/toolchain';
export * from './workflow-bundle';
export * from './temporal-client.module';
export * from './embedded-temporal';
export * from './data-converter';
export * from './connection-options';
export * from './launcher';
