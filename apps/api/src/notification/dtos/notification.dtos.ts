import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListNotificationsQuery {
  @ApiPropertyOptional({ description: 'Only notifications the caller has not marked read', default: false })
  @IsOptional() @Transform(toBoolean) @IsBoolean({ message: 'unread must be true or false' })
  unread: boolean = false;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(200)
  limit: number = 50;
}

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional() @Type(() => Number) @IsInt({ message: 'limit must be a whole number' }) @Min(1) @Max(500)
  limit: number = 100;
}

export class NotificationView {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({ example: 'incident_escalated' }) kind: string;
  @ApiProperty() message: string;
  @ApiProperty({ nullable: true, type: String, example: 'CHG-000123' }) changeId: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'INC-000001' }) incidentId: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'PRB-000001' }) problemId: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ description: 'Read by the caller (read state is per user, also for group notifications)' }) read: boolean;
}

export class WebhookDeliveryView {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'The notify request this delivery belongs to' }) notificationKey: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) state: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ description: 'When a pending delivery is tried next' }) nextAttemptAt: string;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt: string | null;
  @ApiProperty() createdAt: string;
}
