import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

@Injectable()
export class ParseAccountIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^SA-[0-9a-f]{12}$/.test(value)) throw new BadRequestException('id must be a service account id such as SA-0123456789ab');
    return value;
  }
}

@Injectable()
export class ParseKeyIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[a-z0-9]{16}$/.test(value)) throw new BadRequestException('keyId must be an API key id (16 letters or digits)');
    return value;
  }
}
