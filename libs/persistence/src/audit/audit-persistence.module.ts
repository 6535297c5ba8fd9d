import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditCheckpointEntity } from './audit-checkpoint.entity';
import { AuditCheckpoints } from './audit-checkpoint.service';
import { AuditEventEntity } from './audit-event.entity';
import { AuditLog } from './audit-log.service';

export const AUDIT_ENTITIES = [AuditEventEntity, AuditCheckpointEntity];

/** The audit chain: every context appends to it inside its own transactions. */
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  providers: [AuditLog, AuditCheckpoints],
  exports: [TypeOrmModule, AuditLog, AuditCheckpoints],
})
export class AuditPersistenceModule {}
