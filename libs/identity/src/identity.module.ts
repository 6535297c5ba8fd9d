import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { TokenVerifier, type TokenVerifierOptions } from './token-verifier';

/** Bearer authentication for every route, with roles from the token's claims. */
@Module({})
export class IdentityModule {
  static forRoot(options: TokenVerifierOptions): DynamicModule {
    return {
      module: IdentityModule,
      providers: [{ provide: TokenVerifier, useValue: new TokenVerifier(options) }, { provide: APP_GUARD, useClass: AuthGuard }],
      exports: [TokenVerifier],
    };
  }
}
