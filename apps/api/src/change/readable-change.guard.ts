import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@steward/identity';
import type { Request } from 'express';
import { ChangeService } from './change.service';

/**
 * The object-level read check for the change event stream, as a guard. An SSE route's answer
 * (200, event-stream) is written before an interceptor's observable runs the handler, so a
 * refusal inside the handler would arrive as an event on an open stream; a guard refuses first.
 */
@Injectable()
export class ReadableChangeGuard implements CanActivate {
  constructor(private readonly changes: ChangeService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (!request.principal) throw new UnauthorizedException('no authenticated principal');
    await this.changes.assertReadable(request.principal, String(request.params.id), 'GET /api/changes/:id/events');
    return true;
  }
}
