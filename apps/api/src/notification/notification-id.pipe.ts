import { Injectable, type PipeTransform } from '@nestjs/common';
import { StewardError } from '@steward/domain';

/** Notification ids are positive bigints; anything else names nothing: 404, like one not yours. */
@Injectable()
export class NotificationIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[1-9]\d{0,17}$/.test(value)) throw new StewardError('not_found', `notification ${value.slice(0, 40)} not found`);
    return value;
  }
}
