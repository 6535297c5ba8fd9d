export * from './keys';
export * from './decision-keys';
export * from './decision-signer';
export * from './authorization-token';
export * from './payload-codec';
export * from './security.module';
export * from './audit-checkpoint-keys';
export * from './checkpoint-offline';
