import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IDENTITY_ENTITIES } from '../entities';

/** Service accounts and their API keys (the API's identity services write them in their own transactions). */
@Module({
  imports: [TypeOrmModule.forFeature(IDENTITY_ENTITIES)],
  exports: [TypeOrmModule],
})
export class IdentityPersistenceModule {}
