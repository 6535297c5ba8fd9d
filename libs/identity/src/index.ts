export * from './roles';
export * from './token-verifier';
export * from './demo-users';
export * from './auth.guard';
export * from './identity.module';
export * from './api-key';
