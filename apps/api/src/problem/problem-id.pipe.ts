import { Injectable, type PipeTransform } from '@nestjs/common';
import { StewardError, isProblemId } from '@steward/domain';

/** A malformed id names no problem: 404, the same answer as an unknown one. */
@Injectable()
export class ProblemIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isProblemId(value)) throw new StewardError('not_found', `problem ${value} not found (ids look like PRB-000123)`);
    return value;
  }
}
