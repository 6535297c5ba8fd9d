import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StewardError } from '@steward/domain';
import { CurrentPrincipal, Roles, type Principal } from '@steward/identity';
import { NotificationInbox, WebhookOutbox } from '@steward/persistence';
import { ListDeliveriesQuery, ListNotificationsQuery, NotificationView, WebhookDeliveryView } from './dtos/notification.dtos';
import { NotificationIdPipe } from './notification-id.pipe';

/**
 * The caller's in-app notifications: those to them and to the groups their token names. Any
 * authenticated user has an inbox, so no role is required; marking read changes only the
 * caller's own read state.
 */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
export class NotificationController {
  constructor(
    private readonly inbox: NotificationInbox,
    private readonly outbox: WebhookOutbox,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's notifications and their groups', newest first" })
  @ApiOkResponse({ type: [NotificationView] })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListNotificationsQuery): Promise<NotificationView[]> {
    const items = await this.inbox.list(ownerOf(principal), { unreadOnly: query.unread, limit: query.limit });
    return items.map((item) => ({ ...item, createdAt: item.createdAt.toISOString() }));
  }

  @Get('deliveries')
  @Roles('admin')
  @ApiOperation({ summary: 'Webhook outbox: each delivery with its state, attempts and last error, newest first' })
  @ApiOkResponse({ type: [WebhookDeliveryView] })
  async deliveries(@Query() query: ListDeliveriesQuery): Promise<WebhookDeliveryView[]> {
    const rows = await this.outbox.list(query.limit);
    return rows.map((row) => ({
      ...row,
      nextAttemptAt: row.nextAttemptAt.toISOString(),
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
    }));
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark one of the caller\'s notifications read (404 if it is not theirs)' })
  @ApiNoContentResponse()
  async markRead(@CurrentPrincipal() principal: Principal, @Param('id', NotificationIdPipe) id: string): Promise<void> {
    if (!(await this.inbox.markRead(ownerOf(principal), id))) throw new StewardError('not_found', `notification ${id} not found`);
  }
}

function ownerOf(principal: Principal): { userId: string; groups: string[] } {
  return { userId: principal.id, groups: principal.groups };
}
