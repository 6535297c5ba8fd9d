import { Injectable } from '@nestjs/common';
import type { StepAction } from '@steward/contracts';
import { StewardError } from '@steward/domain';
import { HttpExecutor } from './http.executor';
import { SimulatedExecutor } from './simulated.executor';
import type { StepExecutor } from './step-executor';

/** The executors by the name a call gives in its `executor` field. */
@Injectable()
export class ExecutorRegistry {
  private readonly executors: ReadonlyMap<string, StepExecutor>;

  constructor(simulated: SimulatedExecutor, http: HttpExecutor) {
    this.executors = new Map<string, StepExecutor>([
      ['simulated', simulated],
      ['http', http],
    ]);
  }

  /** The names calls may use. */
  get names(): string[] {
    return [...this.executors.keys()];
  }

  /** The executor for `call.executor`; StewardError('invalid') for an unknown or missing one. */
  forCall(call: StepAction): StepExecutor {
    const name = call?.executor;
    const executor = typeof name === 'string' ? this.executors.get(name) : undefined;
    if (!executor) {
      throw new StewardError('invalid', `unknown executor ${JSON.stringify(name ?? null)}: must be one of ${this.names.join(', ')}`, { field: 'executor' });
    }
    return executor;
  }
}
