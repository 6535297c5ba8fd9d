import { DynamicModule, Module } from '@nestjs/common';
import type { ExecutorCredentials } from '@steward/config';
import { ExecutorRegistry } from './executor-registry';
import { ExecutorSettings } from './executor-settings';
import { HostResolver, HttpExecutor } from './http.executor';
import { SimulatedExecutor } from './simulated.executor';

export interface ExecutorsModuleOptions {
  /** EXECUTOR_ALLOWED_TARGETS, as config.executorAllowedTargets gives them. */
  allowedTargets: string[];
  /** The HMAC key of X-Steward-Signature (at least 32 characters). */
  signingKey: string;
  /** EXECUTOR_CREDENTIALS: named credentials http steps refer to (none by default). */
  credentials?: ExecutorCredentials;
}

const EXECUTOR_PROVIDERS = [SimulatedExecutor, HttpExecutor, HostResolver, ExecutorRegistry];

/** The step executors, with their settings: `ExecutorsModule.forRoot({ allowedTargets, signingKey })`. */
@Module({})
export class ExecutorsModule {
  static forRoot(settings: ExecutorsModuleOptions): DynamicModule {
    return {
      module: ExecutorsModule,
      providers: [{ provide: ExecutorSettings, useValue: new ExecutorSettings([...settings.allowedTargets], settings.signingKey, settings.credentials ?? {}) }, ...EXECUTOR_PROVIDERS],
      exports: [ExecutorSettings, ...EXECUTOR_PROVIDERS],
    };
  }
}
