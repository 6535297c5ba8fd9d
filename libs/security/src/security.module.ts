import { DynamicModule, Module } from '@nestjs/common';
import { AuthorizationTokens } from './authorization-token';
import { DecisionSigner } from './decision-signer';
import { StewardKeys } from './keys';

/** The signing keys and what signs with them, for the API and the worker alike. */
@Module({})
export class SecurityModule {
  static forRoot(secret: string): DynamicModule {
    const keys = new StewardKeys(secret);
    return {
      module: SecurityModule,
      global: true,
      providers: [
        { provide: StewardKeys, useValue: keys },
        { provide: DecisionSigner, useValue: new DecisionSigner(keys) },
        { provide: AuthorizationTokens, useValue: new AuthorizationTokens(keys) },
      ],
      exports: [StewardKeys, DecisionSigner, AuthorizationTokens],
    };
  }
}
