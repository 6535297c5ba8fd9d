import { Injectable, ServiceUnavailableException, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { SSE_METADATA } from '@nestjs/common/constants';
import type { Response } from 'express';
import { throwError, timeout, type Observable } from 'rxjs';

/** Beyond this a request answers 503: a client waiting longer learns nothing it could not learn by retrying. */
export const REQUEST_DEADLINE_MS = 30_000;
const RETRY_AFTER_S = 5;

/**
 * No request waits forever: past its deadline it answers 503 with `Retry-After`, whatever it was
 * waiting for (a database lock, an update no worker picks up). Event streams are meant to stay
 * open and are left alone. A creating POST sent with an Idempotency-Key finishes in the
 * background and its answer is kept for the retry (IdempotencyInterceptor).
 */
@Injectable()
export class RequestDeadlineInterceptor implements NestInterceptor {
  constructor(private readonly deadlineMs: number = REQUEST_DEADLINE_MS) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || Reflect.getMetadata(SSE_METADATA, context.getHandler())) return next.handle();
    const response = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      timeout({
        first: this.deadlineMs,
        with: () => {
          response.setHeader('Retry-After', String(RETRY_AFTER_S));
          return throwError(() => new ServiceUnavailableException(`the request did not finish within ${this.deadlineMs / 1000} s; retry it (with the same Idempotency-Key, if it created something)`));
        },
      }),
    );
  }
}
