import { Module } from '@nestjs/common';
import { SlaController } from './sla.controller';
import { SlaService } from './sla.service';
import { AuditPersistenceModule } from '@steward/persistence';

@Module({ imports: [AuditPersistenceModule], controllers: [SlaController], providers: [SlaService] })
export class SlaModule {}
