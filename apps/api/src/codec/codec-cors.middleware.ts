import type { NextFunction, Request, Response } from 'express';

/**
 * CORS for the codec endpoint only, and only for the configured Temporal UI origin
 * (TEMPORAL_UI_ORIGIN): the UI calls it from the browser with the user's bearer token. Any
 * other origin gets no CORS header, so a browser keeps the answer from its page. The preflight
 * is answered here because it carries no Authorization header and would never pass the guard.
 */
export function codecCors(allowedOrigin: string | undefined) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const origin = request.headers.origin;
    if (!allowedOrigin || origin !== allowedOrigin) {
      next();
      return;
    }
    response.setHeader('Access-Control-Allow-Origin', allowedOrigin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Vary', 'Origin');
    if (request.method === 'OPTIONS') {
      response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      response.setHeader('Access-Control-Max-Age', '600');
      response.status(204).end();
      return;
    }
    next();
  };
}
