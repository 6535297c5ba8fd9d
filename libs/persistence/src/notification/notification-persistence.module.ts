import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationEntity } from '../change/change-approval.entities';
import { NotificationInbox } from './notification-inbox.service';
import { NotificationReadEntity, WebhookDeliveryEntity } from './notification.entities';
import { Notifier } from './notifier.service';
import { WebhookOutbox } from './webhook-outbox.service';

export const NOTIFICATION_ENTITIES = [NotificationEntity, NotificationReadEntity, WebhookDeliveryEntity];

@Module({
  imports: [TypeOrmModule.forFeature(NOTIFICATION_ENTITIES)],
  providers: [Notifier, NotificationInbox, WebhookOutbox],
  exports: [TypeOrmModule, Notifier, NotificationInbox, WebhookOutbox],
})
export class NotificationPersistenceModule {}
