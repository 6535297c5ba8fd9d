import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { StewardError, type StewardErrorCode } from '@steward/domain';
import type { Request, Response } from 'express';
import { TooManyRequestsException } from './abuse/too-many-requests';

/** Optional: turns a 401 into 429 when the presented identity is under a guessing attack (see auth-failure-limit). */
export type UnauthorizedRetryAfter = (request: Request) => number | undefined;

const STATUS_OF: Record<StewardErrorCode, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/**
 * The one place errors become HTTP answers, all in the contract's shape
 * `{ statusCode, error, message }`. Anything unexpected is a 500 and is logged as a bug.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  constructor(private readonly unauthorizedRetryAfter?: UnauthorizedRetryAfter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    let body = this.toBody(exception);
    if (exception instanceof TooManyRequestsException) response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    if (body.statusCode === 401 && this.unauthorizedRetryAfter) {
      const retryAfter = this.unauthorizedRetryAfter(host.switchToHttp().getRequest<Request>());
      if (retryAfter !== undefined) {
        response.setHeader('Retry-After', String(retryAfter));
        body = { statusCode: 429, error: REASON[429], message: 'too many failed authentication attempts for this identity; retry after the time in Retry-After' };
      }
    }
    if (body.statusCode >= 500 && body.statusCode !== 503) this.logger.error({ err: exception }, 'unhandled error');
    // Explicit: a route may have set another type (text/calendar, CSV) before failing.
    response.status(body.statusCode).type('application/json').json(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    return errorBodyOf(exception);
  }
}

/** The contract's error body for anything a handler may throw. */
export function errorBodyOf(exception: unknown): ApiErrorBody {
  if (exception instanceof StewardError) {
    const statusCode = STATUS_OF[exception.code];
    return { statusCode, error: REASON[statusCode], message: exception.message, ...(exception.details ? { details: exception.details } : {}) };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const raw = exception.getResponse();
    const payload = typeof raw === 'string' ? { message: raw } : (raw as { message?: unknown; details?: unknown });
    const message = Array.isArray(payload.message) ? payload.message.join('; ') : String(payload.message ?? exception.message);
    return {
      statusCode,
      error: REASON[statusCode] ?? exception.name,
      message,
      ...(payload.details !== undefined ? { details: payload.details } : {}),
    };
  }
  // body-parser's errors (malformed JSON, too large) carry a status but are not HttpExceptions.
  const status = (exception as { status?: unknown; type?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (exception as { type?: string }).type;
    const message = type === 'entity.parse.failed' ? 'request body is not valid JSON' : (exception as Error).message;
    return { statusCode: status, error: REASON[status] ?? 'Bad Request', message };
  }
  return { statusCode: 500, error: REASON[500], message: 'internal error' };
}
