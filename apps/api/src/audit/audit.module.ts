import { DynamicModule, Module } from '@nestjs/common';
import type { AuditCheckpointSettings } from '@steward/config';
import { AuditCheckpointKeys } from '@steward/security';
import { AuditController } from './audit.controller';
import { AuditPersistenceModule } from '@steward/persistence';

@Module({})
export class AuditModule {
  /** With AUDIT_SIGNING_KEY the API signs checkpoints on demand and verifies them; without it, it still verifies against trusted keys. */
  static forRoot(settings: Pick<AuditCheckpointSettings, 'signingKey' | 'trustedPublicKeys'> = { trustedPublicKeys: [] }): DynamicModule {
    return {
      module: AuditModule,
      imports: [AuditPersistenceModule],
      controllers: [AuditController],
      providers: [{ provide: AuditCheckpointKeys, useValue: new AuditCheckpointKeys(settings) }],
    };
  }
}
