import { Injectable, type PipeTransform } from '@nestjs/common';
import { StewardError } from '@steward/domain';
import { CI_KEY } from '../change/dtos/create-change.dto';

/** A string that cannot be a CI key names no CI: 404, like an unknown one. */
@Injectable()
export class CiKeyPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!CI_KEY.test(value)) throw new StewardError('not_found', `configuration item ${value.slice(0, 100)} not found`);
    return value;
  }
}
