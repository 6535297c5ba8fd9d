import { DynamicModule, Module } from '@nestjs/common';
import { ExecutorRegistry } from './executor-registry';
import { ExecutorSettings } from './executor-settings';
import { HostResolver, HttpExecutor } from './http.executor';
import { SimulatedExecutor } from './simulated.executor';

export interface ExecutorsModuleOptions {
  /** EXECUTOR_ALLOWED_TARGETS, as config.executorAllowedTargets gives them. */
  allowedTargets: string[];
  /** The HMAC key of X-Steward-Signature (at least 32 characters). */
  signingKey: string;
}

const EXECUTOR_PROVIDERS = [SimulatedExecutor, HttpExecutor, HostResolver, ExecutorRegistry];

/** The step executors, with their settings: `ExecutorsModule.forRoot({ allowedTargets, signingKey })`. */
@Module({})
export class ExecutorsModule {
  static forRoot(settings: ExecutorsModuleOptions): DynamicModule {
    return {
      module: ExecutorsModule,
      providers: [{ provide: ExecutorSettings, useValue: new ExecutorSettings([...settings.allowedTargets], settings.signingKey) }, ...EXECUTOR_PROVIDERS],
      exports: [ExecutorSettings, ...EXECUTOR_PROVIDERS],
    };
  }
}
