import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import * as lists from './entities';

describe('persistence per bounded context', () => {
  const contexts = Object.entries(lists).filter(([name]) => name !== 'STEWARD_ENTITIES') as Array<[string, Function[]]>;

  it('gives every entity class of the schema to exactly one context', () => {
    // Every file that declares entities, whether or not a list names them yet.
    const files = readdirSync(__dirname, { recursive: true, encoding: 'utf8' }).filter((f) => /entit(y|ies)\.ts$/.test(f) && !f.endsWith('.spec.ts'));
    for (const file of files) require(join(__dirname, file));
    const declared = getMetadataArgsStorage().tables.map((t) => t.target).filter((t): t is Function => typeof t === 'function');

    const owners = new Map<Function, string[]>();
    for (const [context, entities] of contexts) for (const entity of entities) owners.set(entity, [...(owners.get(entity) ?? []), context]);
    const unowned = declared.filter((entity) => !owners.has(entity)).map((entity) => entity.name);
    const shared = [...owners].filter(([, names]) => names.length > 1).map(([entity, names]) => `${entity.name}: ${names.join(', ')}`);
    expect({ unowned, shared }).toEqual({ unowned: [], shared: [] });
    expect(new Set(lists.STEWARD_ENTITIES)).toEqual(new Set(declared));
  });
});
