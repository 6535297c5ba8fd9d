import 'reflect-metadata';
import { AUDIT_ENTITIES } from './audit/audit-persistence.module';
import { CALENDAR_ENTITIES } from './calendar/calendar-persistence.module';
import { CHANGE_ENTITIES } from './change/change-persistence.module';
import { CMDB_ENTITIES } from './cmdb/cmdb-persistence.module';
import { STEWARD_ENTITIES } from './entities';
import { IDENTITY_ENTITIES } from './identity/identity-persistence.module';
import { INCIDENT_ENTITIES } from './incident/incident-persistence.module';
import { KNOWLEDGE_ENTITIES } from './knowledge/knowledge-persistence.module';
import { NOTIFICATION_ENTITIES } from './notification/notification-persistence.module';
import { PROBLEM_ENTITIES } from './problem/problem-persistence.module';

describe('persistence per bounded context', () => {
  const contexts = { AUDIT_ENTITIES, CALENDAR_ENTITIES, CHANGE_ENTITIES, CMDB_ENTITIES, IDENTITY_ENTITIES, INCIDENT_ENTITIES, KNOWLEDGE_ENTITIES, NOTIFICATION_ENTITIES, PROBLEM_ENTITIES };

  it('gives every entity of the schema to exactly one context', () => {
    const owners = new Map<unknown, string[]>();
    for (const [context, entities] of Object.entries(contexts)) for (const entity of entities) owners.set(entity, [...(owners.get(entity) ?? []), context]);
    const unowned = STEWARD_ENTITIES.filter((entity) => !owners.has(entity)).map((entity) => entity.name);
    const shared = [...owners].filter(([, names]) => names.length > 1).map(([entity, names]) => `${(entity as { name: string }).name}: ${names.join(', ')}`);
    const unknown = [...owners.keys()].filter((entity) => !STEWARD_ENTITIES.includes(entity as never)).map((entity) => (entity as { name: string }).name);
    expect({ unowned, shared, unknown }).toEqual({ unowned: [], shared: [], unknown: [] });
  });
});
