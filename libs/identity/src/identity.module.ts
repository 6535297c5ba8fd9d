import { DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyAuthenticator } from './api-key';
import { AuthGuard, RoutePolicy } from './auth.guard';
import { TokenVerifier, type TokenVerifierOptions } from './token-verifier';

export interface IdentityModuleExtras {
  /** The written access policy the guard enforces per route. */
  routePolicy?: RoutePolicy;
  /** Accepts `stw_` API keys of service accounts (needs the database, so the API provides it). */
  apiKeys?: Type<ApiKeyAuthenticator>;
  /** Modules the API key authenticator depends on. */
  imports?: DynamicModule['imports'];
}

/** Bearer authentication for every route, with roles from the token's claims or scopes from an API key. */
@Module({})
export class IdentityModule {
  static forRoot(options: TokenVerifierOptions, extras: IdentityModuleExtras = {}): DynamicModule {
    const providers: Provider[] = [{ provide: TokenVerifier, useValue: new TokenVerifier(options) }, { provide: APP_GUARD, useClass: AuthGuard }];
    if (extras.routePolicy) providers.push({ provide: RoutePolicy, useValue: extras.routePolicy });
    if (extras.apiKeys) providers.push({ provide: ApiKeyAuthenticator, useClass: extras.apiKeys });
    return {
      module: IdentityModule,
      imports: extras.imports ?? [],
      providers,
      exports: [TokenVerifier, ...(extras.apiKeys ? [ApiKeyAuthenticator] : [])],
    };
  }
}
