import { DynamicModule, Module } from '@nestjs/common';
import { ActivitiesModule } from '@steward/activities';
import { stewardLoggerModule } from '@steward/observability';
import { PersistenceModule } from '@steward/persistence';
import { StewardWorkerService, WorkerSettings } from './steward-worker.service';

export interface WorkerModuleOptions {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  workflowBundlePath?: string;
  logLevel?: string;
}

/** The worker process: activities over the database, and the Temporal worker that runs them. */
@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        stewardLoggerModule({ level: options.logLevel ?? 'info', service: 'worker' }),
        PersistenceModule.forRoot({ url: options.databaseUrl, applicationName: 'steward-worker' }), ActivitiesModule],
      providers: [
        {
          provide: WorkerSettings,
          useValue: new WorkerSettings(options.temporal.address, options.temporal.namespace, options.temporal.taskQueue, options.workflowBundlePath),
        },
        StewardWorkerService,
      ],
    };
  }
}
