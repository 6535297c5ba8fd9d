import { DynamicModule, Module } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { AuthorizationTokens } from './authorization-token';
import { DecisionSigner, DecisionVerifier } from './decision-signer';
import { StewardKeys } from './keys';

/**
 * The keys of each process, and what signs or verifies with them. The API gets the decision
 * private key (it signs votes) and no worker secret; the worker gets the decision public key
 * (it verifies votes) and its own secret for implementation tokens and executor requests.
 */
@Module({})
export class SecurityModule {
  /** The API: signs decisions; issues no implementation token. */
  static forApi(options: { decisionSigningKey: KeyObject }): DynamicModule {
    const signer = new DecisionSigner(options.decisionSigningKey);
    return {
      module: SecurityModule,
      global: true,
      providers: [
        { provide: DecisionSigner, useValue: signer },
        { provide: DecisionVerifier, useValue: signer },
        { provide: AuthorizationTokens, useValue: new AuthorizationTokens(null) },
      ],
      exports: [DecisionSigner, DecisionVerifier, AuthorizationTokens],
    };
  }

  /** The worker: verifies decisions with the public key only; issues and checks tokens. */
  static forWorker(options: { decisionVerifyKey: KeyObject; workerSecret: string }): DynamicModule {
    const keys = new StewardKeys(options.workerSecret);
    return {
      module: SecurityModule,
      global: true,
      providers: [
        { provide: StewardKeys, useValue: keys },
        { provide: DecisionVerifier, useValue: new DecisionVerifier(options.decisionVerifyKey) },
        { provide: AuthorizationTokens, useValue: new AuthorizationTokens(keys) },
      ],
      exports: [StewardKeys, DecisionVerifier, AuthorizationTokens],
    };
  }
}
