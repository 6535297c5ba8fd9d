import { BadRequestException, ConflictException, HttpException, Injectable, UnprocessableEntityException, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { InjectDataSource } from '@nestjs/typeorm';
import { canonicalJson } from '@steward/domain';
import type { Principal } from '@steward/identity';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { errorBodyOf, type ApiErrorBody } from './api-exception.filter';

/** Printable ASCII without spaces, as the IETF draft on the header and Stripe's keys use. */
const KEY = /^[\x21-\x7e]{1,200}$/;

/** How long a key is remembered: a retrying client gives up long before. */
const KEY_RETENTION = '24 hours';

interface StoredRequest {
  fingerprint: string;
  status_code: number | null;
  response: unknown;
}

/** An answer that was an error, replayed as the same error. */
class StoredError extends HttpException {
  constructor(body: ApiErrorBody) {
    super(body, body.statusCode);
  }
}

/**
 * `Idempotency-Key` on every POST: the first request with a key runs and its answer is kept
 * (successes and 4xx refusals alike); the same key with the same body answers that again and
 * runs nothing; the same key with another body is 422; while the first is still running, 409.
 * A 5xx is not kept, so a retry runs again, which is safe because such a failure left nothing
 * behind. Keys belong to the caller: another principal's key is another key.
 *
 * The handler runs to its end even when the request deadline answered 503 first, and its
 * answer is then kept for the retry.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new BadRequestException('Idempotency-Key must be 1 to 200 printable characters without spaces');
    }
    const principal = request.principal?.id ?? `address:${request.ip ?? 'unknown'}`;
    const route = `${request.method} ${request.originalUrl.split('?')[0]}`.slice(0, 500);
    const fingerprint = createHash('sha256').update(`${request.method} ${request.originalUrl}\n${canonicalJson(request.body ?? null)}`).digest('hex');
    const successStatus = (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? 201;

    const answer = (async () => {
      const claimed = await this.claim(principal, header, route, fingerprint);
      if (!claimed) return this.replay(principal, header, fingerprint);
      try {
        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.keep(principal, header, successStatus, body ?? null);
        return body;
      } catch (error) {
        const body = errorBodyOf(error);
        if (body.statusCode < 500) await this.keep(principal, header, body.statusCode, body);
        else await this.release(principal, header);
        throw error;
      }
    })();
    return from(answer);
  }

  private async claim(principal: string, key: string, route: string, fingerprint: string): Promise<boolean> {
    // Forgotten keys make room first, so a key may be reused after the retention period.
    await this.db.query(`DELETE FROM idempotent_request WHERE principal_id = $1 AND idempotency_key = $2 AND created_at < now() - interval '${KEY_RETENTION}'`, [principal, key]);
    const rows = (await this.db.query(
      `INSERT INTO idempotent_request (principal_id, idempotency_key, route, fingerprint) VALUES ($1, $2, $3, $4)
       ON CONFLICT (principal_id, idempotency_key) DO NOTHING RETURNING 1`,
      [principal, key, route, fingerprint],
    )) as unknown[];
    return rows.length === 1;
  }

  private async replay(principal: string, key: string, fingerprint: string): Promise<unknown> {
    const [stored] = (await this.db.query(`SELECT fingerprint, status_code, response FROM idempotent_request WHERE principal_id = $1 AND idempotency_key = $2`, [principal, key])) as StoredRequest[];
    if (!stored) throw new ConflictException('a request with this Idempotency-Key just failed; send it again');
    if (stored.fingerprint !== fingerprint) {
      throw new UnprocessableEntityException('this Idempotency-Key was used for another request: a new request needs a new key');
    }
    if (stored.status_code === null) throw new ConflictException('a request with this Idempotency-Key is still being processed; retry shortly');
    // Kept as text: jsonb refuses a NUL character that an answer may quote back.
    const response = JSON.parse(stored.response as string) as unknown;
    if (stored.status_code >= 400) throw new StoredError(response as ApiErrorBody);
    return response;
  }

  private async keep(principal: string, key: string, status: number, response: unknown): Promise<void> {
    await this.db.query(`UPDATE idempotent_request SET status_code = $3, response = $4, completed_at = now() WHERE principal_id = $1 AND idempotency_key = $2`, [
      principal,
      key,
      status,
      JSON.stringify(response),
    ]);
  }

  private async release(principal: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotent_request WHERE principal_id = $1 AND idempotency_key = $2 AND status_code IS NULL`, [principal, key]);
  }
}
