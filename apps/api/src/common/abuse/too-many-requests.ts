import { HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';

/** 429 with the seconds after which a retry may succeed; the exception filter sets `Retry-After`. */
export class TooManyRequestsException extends HttpException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super({ message }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** The same answer from Express middleware, which runs before Nest's exception filter exists for the request. */
export function sendTooManyRequests(res: Response, retryAfterSeconds: number, message: string): void {
  res
    .status(HttpStatus.TOO_MANY_REQUESTS)
    .setHeader('Retry-After', String(retryAfterSeconds))
    .type('application/json')
    .json({ statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message });
}
