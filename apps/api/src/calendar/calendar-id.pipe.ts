import { Injectable, type PipeTransform } from '@nestjs/common';
import { StewardError } from '@steward/domain';

/** Window and freeze ids are positive bigints; anything else names nothing: 404, like an unknown id. */
@Injectable()
export class CalendarIdPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (!/^[1-9]\d{0,17}$/.test(value)) throw new StewardError('not_found', `${this.what} ${value.slice(0, 40)} not found`);
    return value;
  }
}
