import { DynamicModule, Module, type Type } from '@nestjs/common';
import {
  AuditPersistenceModule,
  CalendarPersistenceModule,
  ChangePersistenceModule,
  CmdbPersistenceModule,
  IncidentPersistenceModule,
  KnowledgePersistenceModule,
  NotificationPersistenceModule,
  ProblemPersistenceModule,
} from '@steward/persistence';
import { ChangeExecutionActivities } from './change/change-execution.activities';
import { ChangeActivities } from './change/change.activities';
import { ChangeRunBinding } from './change/change-run-binding';
import { ExecutorsModule, type ExecutorsModuleOptions } from './change/executors';
import { IncidentLauncher } from '@steward/temporal';
import { IncidentActivities } from './incident/incident.activities';
import { ProblemActivities } from './problem/problem.activities';

/** Every activity class, one per bounded context. */
export const ACTIVITY_CLASSES: Type<object>[] = [ChangeActivities, ChangeExecutionActivities, IncidentActivities, ProblemActivities];

@Module({})
export class ActivitiesModule {
  static forRoot(executors: ExecutorsModuleOptions): DynamicModule {
    return {
      module: ActivitiesModule,
      // The records each context's activities use; the DataSource comes from the process's DatabaseModule.
      imports: [
        ExecutorsModule.forRoot(executors),
        AuditPersistenceModule,
        CalendarPersistenceModule,
        ChangePersistenceModule,
        CmdbPersistenceModule,
        IncidentPersistenceModule,
        KnowledgePersistenceModule,
        NotificationPersistenceModule,
        ProblemPersistenceModule,
      ],
      providers: [...ACTIVITY_CLASSES, IncidentLauncher, ChangeRunBinding],
      exports: [...ACTIVITY_CLASSES, IncidentLauncher, ChangeRunBinding],
    };
  }
}

/**
 * The activities object the worker registers: each public method of each activity class,
 * bound to its Nest-built instance. Two classes may not declare the same name.
 */
export function collectActivities(app: { get<T>(type: Type<T>, options?: { strict?: boolean }): T }): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const activities: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const type of ACTIVITY_CLASSES) {
    const instance = app.get(type, { strict: false }) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(type.prototype)) {
      const method = instance[name];
      if (name === 'constructor' || typeof method !== 'function') continue;
      if (activities[name]) throw new Error(`activity ${name} is declared twice (${type.name})`);
      activities[name] = (method as (...args: unknown[]) => Promise<unknown>).bind(instance);
    }
  }
  return activities;
}
