import { Global, Module } from '@nestjs/common';
import { MeController } from './me.controller';
import { ServiceAccountReach } from './service-account-reach.service';
import { ServiceAccountController } from './service-account.controller';
import { ServiceAccountService } from './service-account.service';
import { AuditPersistenceModule, IdentityPersistenceModule } from '@steward/persistence';

@Global()
@Module({ imports: [AuditPersistenceModule, IdentityPersistenceModule], controllers: [ServiceAccountController, MeController], providers: [ServiceAccountService, ServiceAccountReach], exports: [ServiceAccountReach] })
export class ServiceAccountModule {}
