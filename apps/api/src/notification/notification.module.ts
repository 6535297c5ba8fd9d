import { Module } from '@nestjs/common';
import { NotificationController } from './notification.controller';
import { NotificationPersistenceModule } from '@steward/persistence';

@Module({ imports: [NotificationPersistenceModule], controllers: [NotificationController] })
export class NotificationModule {}
