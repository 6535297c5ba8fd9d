import type { INestApplication } from '@nestjs/common';
import type { WebSecuritySettings } from '@steward/config';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Security headers on every response, the Swagger page included (it is mounted outside Nest's
 * router, so this is plain Express middleware, installed first).
 *
 * A small middleware rather than helmet: the API needs two Content-Security-Policies (none at
 * all for JSON, a same-origin one for the Swagger page) and a handful of headers; thirty lines
 * we can read replace a dependency whose defaults (and their changes between versions) we would
 * have to re-check on every upgrade.
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Swagger UI: its own scripts and styles, inline styles (React sets them), data: icons, fetches to this origin. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The console (apps/console, served at `/`): its own hashed scripts and styles only; inline
 * styles because Mantine writes its theme's CSS variables into a <style> element and React sets
 * style attributes; fetches to this origin only (the API). No inline script, nothing framed.
 */
const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(web: WebSecuritySettings): RequestHandler {
  const hsts = web.hstsMaxAgeSeconds !== undefined ? `max-age=${web.hstsMaxAgeSeconds}; includeSubDomains` : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', isDocsPath(req.path) ? DOCS_CSP : isConsolePath(req.path) ? CONSOLE_CSP : API_CSP);
    // Answers carry personal and change data: no shared cache keeps them (a route may override).
    if (!isDocsPath(req.path)) res.setHeader('Cache-Control', 'no-store');
    if (hsts) res.setHeader('Strict-Transport-Security', hsts);
    next();
  };
}

function isDocsPath(path: string): boolean {
  return path === '/docs' || path.startsWith('/docs/') || path === '/docs-json';
}

/** The console's page and bundle: `/`, `/index.html` and the hashed files under `/assets/`. */
function isConsolePath(path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/assets/');
}

/** One CORS rule: the origins a family of paths answers to. */
export interface CorsRule {
  /** Paths this rule governs (`/codec/`); a rule without one governs every other path. */
  pathPrefix?: string;
  /** Exact origins (`https://console.example.com`); none: no cross-origin access. */
  origins: readonly string[];
  methods?: string[];
  allowedHeaders?: string[];
  exposedHeaders?: string[];
  credentials?: boolean;
}

/** The API's own rule: closed unless CORS_ORIGINS lists exact origins. */
export function apiCorsRule(web: WebSecuritySettings): CorsRule {
  return {
    origins: web.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposedHeaders: ['Retry-After', 'Content-Disposition'],
    credentials: false,
  };
}

/**
 * All of CORS in one delegate: the first rule whose `pathPrefix` matches decides, else the
 * rule without a prefix. An origin not listed gets no Access-Control-* header at all, so the
 * browser refuses the response (and the preflight falls through to the router unanswered).
 *
 * Hook for other path families (the Temporal codec endpoint, `/codec/*`, for TEMPORAL_UI_ORIGIN):
 * pass their rule here before the API's rule, e.g. `applyCors(app, [codecCorsRule(...), apiCorsRule(web)])`.
 */
export function applyCors(app: INestApplication, rules: readonly CorsRule[]): void {
  const fallback = rules.find((rule) => rule.pathPrefix === undefined) ?? { origins: [] };
  app.enableCors((req: Request, callback: (error: Error | null, options: object) => void) => {
    const path = req.path ?? req.url ?? '';
    const rule = rules.find((r) => r.pathPrefix !== undefined && path.startsWith(r.pathPrefix)) ?? fallback;
    const origin = req.headers.origin;
    const allowed = typeof origin === 'string' && rule.origins.includes(origin);
    callback(null, {
      origin: allowed ? origin : false,
      methods: rule.methods,
      allowedHeaders: rule.allowedHeaders,
      exposedHeaders: rule.exposedHeaders,
      credentials: rule.credentials ?? false,
      maxAge: 600,
    });
  });
}

/** No `X-Powered-By: Express`: the framework is nobody's business. */
export function hideFramework(app: INestApplication): void {
  const instance = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  instance.disable?.('x-powered-by');
}

/** Whose X-Forwarded-For is believed for the client address (rate limits key on it). */
export function trustProxy(app: INestApplication, web: WebSecuritySettings): void {
  if (web.trustProxy === undefined) return;
  const value = /^\d+$/.test(web.trustProxy) ? Number(web.trustProxy) : web.trustProxy.split(',').map((s) => s.trim());
  (app.getHttpAdapter().getInstance() as { set(setting: string, value: unknown): void }).set('trust proxy', value);
}
