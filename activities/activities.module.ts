import { Module, type Type } from '@nestjs/common';
import { ChangeActivities } from './change/change.activities';

/** Every activity class, one per bounded context. */
export const ACTIVITY_CLASSES: Type<object>[] = [ChangeActivities];

@Module({ providers: ACTIVITY_CLASSES, exports: ACTIVITY_CLASSES })
export class ActivitiesModule {}

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
