import { Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AbuseControl, clientAddress, presentedSubject } from './abuse-control';
import { sendTooManyRequests } from './too-many-requests';

/** Routes that need no token: never an authentication attempt, never refused here (health checks keep working). */
const PUBLIC_PATHS = [/^\/health(\/|$)/, /^\/docs(\/|-json$|$)/, /^\/favicon\.ico$/];

/**
 * Failed authentication, counted per client address and per presented subject.
 *
 * - Every 401 the API answers spends a token of the address's bucket (and of the subject's,
 *   when the request presented a JWT with a `sub`).
 * - An address whose bucket is empty gets 429 with `Retry-After` on every request that is not
 *   public, valid token or not, before the token is even looked at: an address guessing
 *   credentials is slowed to RATE_LIMIT_AUTH_FAILURES_PER_MINUTE attempts a minute.
 * - A subject whose bucket is empty (failures from many addresses against one identity) gets its
 *   failing attempts answered 429 instead of 401 (see ApiExceptionFilter); a valid token of
 *   that subject still works, so nobody can lock a person out by sending bad tokens in their name.
 */
export function authFailureLimit(control: AbuseControl): RequestHandler {
  // Refusals are logged, not audited: an attacker's flood must not grow the append-only chain.
  const logger = new Logger('AuthFailureLimit');
  return (req: Request, res: Response, next: NextFunction) => {
    if (!control.authFailuresByAddress.enabled || PUBLIC_PATHS.some((p) => p.test(req.path)) || req.method === 'OPTIONS') return next();
    const address = clientAddress(req);
    const verdict = control.authFailuresByAddress.peek(address);
    if (!verdict.allowed) {
      sendTooManyRequests(res, verdict.retryAfterSeconds, 'too many failed authentication attempts from this address; retry after the time in Retry-After');
      return;
    }
    const subject = presentedSubject(req);
    res.on('finish', () => {
      if (res.statusCode !== 401) return;
      const addressWasOpen = control.authFailuresByAddress.peek(address).allowed;
      control.authFailuresByAddress.spend(address);
      if (addressWasOpen && !control.authFailuresByAddress.peek(address).allowed) {
        logger.warn(`too many failed authentications from ${address}: its requests get 429 until its bucket refills`);
      }
      if (subject !== undefined) {
        const subjectWasOpen = control.authFailuresBySubject.peek(`sub:${subject}`).allowed;
        control.authFailuresBySubject.spend(`sub:${subject}`);
        if (subjectWasOpen && !control.authFailuresBySubject.peek(`sub:${subject}`).allowed) {
          logger.warn(`too many failed authentications presenting subject ${JSON.stringify(subject)}: its failing attempts get 429`);
        }
      }
    });
    next();
  };
}

/** For the exception filter: a 401 for a subject under attack becomes 429 (undefined: stays 401). */
export function subjectFailureRetryAfter(control: AbuseControl, req: Request): number | undefined {
  const subject = presentedSubject(req);
  if (subject === undefined) return undefined;
  const verdict = control.authFailuresBySubject.peek(`sub:${subject}`);
  return verdict.allowed ? undefined : verdict.retryAfterSeconds;
}
