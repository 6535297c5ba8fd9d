import { Injectable, type PipeTransform } from '@nestjs/common';
import { StewardError, isChangeId } from '@steward/domain';

/** A malformed id names no change: 404, the same answer as an unknown one. */
@Injectable()
export class ChangeIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isChangeId(value)) throw new StewardError('not_found', `change ${value} not found (ids look like CHG-000123)`);
    return value;
  }
}
