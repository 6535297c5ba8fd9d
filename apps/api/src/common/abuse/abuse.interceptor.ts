import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { SSE_METADATA } from '@nestjs/common/constants';
import type { Principal } from '@steward/identity';
import type { Request } from 'express';
import { finalize, type Observable } from 'rxjs';
import { AbuseControl, clientAddress } from './abuse-control';
import { TooManyRequestsException } from './too-many-requests';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * After authentication (interceptors run after guards, so the principal is known):
 * writes are limited per principal and per client address, and a principal holds at most
 * EVENT_STREAMS_PER_PRINCIPAL open Server-Sent Event streams; a stream's slot is freed when
 * its subscription ends (the client closed it, or the stream completed).
 */
@Injectable()
export class AbuseInterceptor implements NestInterceptor {
  constructor(private readonly control: AbuseControl) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const principalId = req.principal?.id;

    if (Reflect.getMetadata(SSE_METADATA, context.getHandler()) === true) {
      const key = principalId ?? `address:${clientAddress(req)}`;
      const release = this.control.eventStreams.acquire(key);
      if (!release) {
        throw new TooManyRequestsException(
          `at most ${this.control.settings.eventStreamsPerPrincipal} event streams may be open per user; close one first`,
          5,
        );
      }
      return next.handle().pipe(finalize(release));
    }

    if (WRITES.has(req.method)) {
      const verdict = this.control.takeWrite(principalId, clientAddress(req));
      if (!verdict.allowed) {
        const limit = verdict.by === 'address' ? `${this.control.settings.writesPerAddressPerMinute} writes a minute from one address` : `${this.control.settings.writesPerMinute} writes a minute per user`;
        throw new TooManyRequestsException(`rate limit reached: ${limit}; retry after the time in Retry-After`, verdict.retryAfterSeconds);
      }
    }
    return next.handle();
  }
}
