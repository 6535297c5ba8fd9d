import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { REQUIRED_ROLES } from '@steward/identity';
import { ACCESS_POLICY, openApiPath, routeAccess } from './access-policy';
import { AppModule } from './app.module';

/** Every route every controller of the API declares, with the @Roles it carries, read from Nest's metadata. */
function declaredRoutes(): Array<{ key: string; roles: string[] | undefined; publicRoute: boolean }> {
  const app = AppModule.forRoot({
    databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
    temporal: { address: '127.0.0.1:1', namespace: 'default', taskQueue: 'none' },
    auth: { jwtSecret: 'x'.repeat(32) },
    decisionSigningKey: Buffer.alloc(32, 7).toString('base64'),
    // As the embedded launcher configures it, so its demo sign-in routes are walked too.
    demoSignIn: { jwtSecret: 'x'.repeat(32) },
  });
  const controllers: Type[] = [];
  for (const imported of app.imports ?? []) {
    const dynamic = imported as DynamicModule;
    const moduleClass = (dynamic.module ?? imported) as Type;
    controllers.push(...((dynamic.controllers as Type[] | undefined) ?? []), ...((Reflect.getMetadata('controllers', moduleClass) as Type[] | undefined) ?? []));
  }
  const routes = [];
  for (const controller of controllers) {
    const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const classRoles = Reflect.getMetadata(REQUIRED_ROLES, controller) as string[] | undefined;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name] as object;
      if (name === 'constructor' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const path = `/${[prefix, String(Reflect.getMetadata(PATH_METADATA, handler) ?? '')].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/');
      const publicRoute = Reflect.getMetadataKeys(handler).some((k) => String(k).includes('steward:public'));
      routes.push({ key: `${method} ${openApiPath(path)}`, roles: (Reflect.getMetadata(REQUIRED_ROLES, handler) as string[] | undefined) ?? classRoles, publicRoute });
    }
  }
  return routes;
}

describe('the access policy and the @Roles decorators', () => {
  const routes = declaredRoutes();

  it('finds the controllers (a broken walk would prove nothing)', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.map((r) => r.key)).toContain('POST /api/changes/{id}/decisions');
  });

  it('lists every route a controller declares', () => {
    expect(routes.map((r) => r.key).filter((key) => !ACCESS_POLICY[key])).toEqual([]);
  });

  it('agrees with every @Roles decorator, and marks public exactly the @Public routes', () => {
    const disagreements = routes.flatMap((route) => {
      const policy = ACCESS_POLICY[route.key];
      if (!policy) return [];
      if (route.publicRoute !== (policy.roles === 'public')) return [`${route.key}: public ${route.publicRoute} vs policy ${String(policy.roles)}`];
      if (route.roles && (typeof policy.roles === 'string' || [...route.roles].sort().join() !== [...policy.roles].sort().join())) {
        return [`${route.key}: @Roles(${route.roles.join(', ')}) vs policy ${typeof policy.roles === 'string' ? policy.roles : policy.roles.join(', ')}`];
      }
      return [];
    });
    expect(disagreements).toEqual([]);
  });

  it('names no route that no controller declares', () => {
    const declared = new Set(routes.map((r) => r.key));
    expect(Object.keys(ACCESS_POLICY).filter((key) => !declared.has(key))).toEqual([]);
  });

  it('looks routes up by their Express pattern', () => {
    expect(routeAccess('post', '/api/changes/:id/steps/:stepId/complete')?.scopes).toEqual(['step:complete']);
    expect(routeAccess('GET', '/api/nowhere')).toBeUndefined();
  });
});
