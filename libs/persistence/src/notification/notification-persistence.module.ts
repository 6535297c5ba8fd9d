import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NOTIFICATION_ENTITIES } from '../entities';
import { NotificationEntity } from '../change/change-approval.entities';
import { NotificationInbox } from './notification-inbox.service';
import { Notifier } from './notifier.service';
import { WebhookOutbox } from './webhook-outbox.service';

@Module({
  imports: [TypeOrmModule.forFeature(NOTIFICATION_ENTITIES)],
  providers: [Notifier, NotificationInbox, WebhookOutbox],
  exports: [TypeOrmModule, Notifier, NotificationInbox, WebhookOutbox],
})
export class NotificationPersistenceModule {}
