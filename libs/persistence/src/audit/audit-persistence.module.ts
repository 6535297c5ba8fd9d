import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUDIT_ENTITIES } from '../entities';
import { AuditCheckpoints } from './audit-checkpoint.service';
import { AuditLog } from './audit-log.service';

/** The audit chain: every context appends to it inside its own transactions. */
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  providers: [AuditLog, AuditCheckpoints],
  exports: [TypeOrmModule, AuditLog, AuditCheckpoints],
})
export class AuditPersistenceModule {}
