import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Optional, SetMetadata, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { API_KEY_PREFIX, ApiKeyAuthenticator } from './api-key';
import { hasAnyRole, type ApiKeyScope, type Principal, type Role } from './roles';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

const PUBLIC_ROUTE = Symbol('steward:public');
/** The metadata key of @Roles, exported so that a test can prove the decorators agree with the access policy. */
export const REQUIRED_ROLES = Symbol('steward:roles');

/** A route anyone may call, such as `/health`. Everything else needs a bearer token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** The caller needs at least one of these roles. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);

type AuthenticatedRequest = Request & { principal?: Principal };

/** The authenticated caller of this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedException('no authenticated principal');
  return principal;
});

/** What the written access policy says about one route (see apps/api/src/access-policy.ts). */
export interface RouteRule {
  /** `public`: no credential; `authenticated`: any verified caller, whatever its roles. */
  roles: readonly Role[] | 'public' | 'authenticated';
  scopes?: readonly ApiKeyScope[];
  /** Why the route is closed to API keys, when a rule says so (e.g. approvers are people). */
  keyRefusal?: string;
}

/** Looks a route up in the access policy by method and Express path pattern. */
export abstract class RoutePolicy {
  abstract lookup(method: string, path: string): RouteRule | undefined;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    @Optional() @Inject(RoutePolicy) private readonly policy?: RoutePolicy,
    @Optional() @Inject(ApiKeyAuthenticator) private readonly apiKeys?: ApiKeyAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const routePath = (request.route as { path?: string } | undefined)?.path ?? request.path;
    const rule = this.policy?.lookup(request.method, routePath);
    if (rule?.roles === 'public' || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('missing bearer token (Authorization: Bearer <JWT or API key>)');
    const credential = match[1];
    try {
      // An API key and a JWT are told apart by the prefix: a JWT starts with `eyJ` (base64url of `{"`).
      if (credential.startsWith(API_KEY_PREFIX)) {
        if (!this.apiKeys) throw new InvalidTokenError('API keys are not accepted here');
        request.principal = await this.apiKeys.authenticate(credential);
      } else {
        request.principal = await this.verifier.verify(credential);
      }
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthorizedException(error.message);
      throw error;
    }

    const principal = request.principal;
    const route = `${request.method} ${routePath}`;
    if (principal.serviceAccount) {
      // A route with no scope mapping is closed to API keys, whatever the key holds.
      const accepted = rule?.scopes ?? [];
      const allowed = accepted.some((scope) => principal.serviceAccount!.scopes.includes(scope));
      const reason = allowed
        ? undefined
        : accepted.length === 0
          ? (rule?.keyRefusal ?? `${route} is closed to API keys`)
          : `API key scope missing: ${route} needs one of the scopes ${accepted.join(', ')}`;
      await this.apiKeys!.recordUse(principal, { route, allowed, reason });
      if (!allowed) throw new ForbiddenException(reason);
      return true;
    }

    if (rule?.roles === 'authenticated') return true;
    const roles = rule ? (rule.roles as readonly Role[]) : this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && roles.length > 0 && !hasAnyRole(principal, roles)) {
      throw new ForbiddenException(`requires one of the roles: ${roles.join(', ')}`);
    }
    return true;
  }
}
