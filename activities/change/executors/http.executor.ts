import { Injectable } from '@nestjs/common';
import type { StepAction } from '@steward/contracts';
import { StewardError, httpCallSecretProblems, redactSecrets } from '@steward/domain';
import { lookup } from 'node:dns/promises';
import { STATUS_CODES, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { ExecutorSettings } from './executor-settings';
import { signatureHeader } from './request-signature';
import type { StepExecutionContext, StepExecutionResult, StepExecutor } from './step-executor';
import { effectivePort, evaluateTarget, parseIpAddress } from './target-policy';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
export const MAX_HTTP_TIMEOUT_MS = 300_000;
/**
 * The longest step detail the executor returns. A detail lands in change_step.detail, the
 * timeline, the audit log and the workflow history: it says what happened (method, origin
 * and path, status, content type), never what the target answered, since a response body can
 * carry anything, secrets included, in any size.
 */
export const MAX_STEP_DETAIL_CHARS = 300;
/** How often a call in flight heartbeats, so that a cancellation reaches it. */
export const HTTP_HEARTBEAT_INTERVAL_MS = 1_000;

/** Headers Steward sets itself, or that would let a call smuggle a different request. */
const RESERVED_HEADERS = new Set([
  'idempotency-key',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
]);
const STEWARD_HEADER_PREFIX = 'x-steward-';

/** `{ executor: 'http', url, method?, headers?, body?, timeoutMs?, successStatus? }`, checked. */
export interface HttpCall {
  executor: 'http';
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  timeoutMs: number;
  /** Statuses that mean success; unset: any 2xx. */
  successStatus?: number[];
  /** The name of a credential the worker holds (EXECUTOR_CREDENTIALS); the plan never holds one. */
  credential?: string;
}

function invalid(field: string, message: string): StewardError {
  return new StewardError('invalid', `http executor: ${field} ${message}`, { field });
}

/** The call as the http executor makes it; StewardError('invalid') naming the bad field. */
export function parseHttpCall(call: StepAction): HttpCall {
  if (call.executor !== 'http') throw new StewardError('invalid', `not an http executor call: executor is ${JSON.stringify(call.executor)}`, { field: 'executor' });

  let url: URL | undefined;
  try {
    url = typeof call.url === 'string' ? new URL(call.url) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw invalid('url', 'must be an http(s) URL');
  if (url.username || url.password) throw invalid('url', 'must not carry credentials (name a credential the worker holds with "credential")');
  // The API refuses these plans already; a plan that reached the worker another way is refused again.
  const [secret] = httpCallSecretProblems(call, '');
  if (secret) throw invalid(secret.field.replace(/^\./, ''), secret.message);

  const methodValue = call.method ?? 'POST';
  const method = typeof methodValue === 'string' ? methodValue.toUpperCase() : '';
  if (!(HTTP_METHODS as readonly string[]).includes(method)) throw invalid('method', `must be one of ${HTTP_METHODS.join(', ')}`);

  const headers: Record<string, string> = {};
  if (call.headers !== undefined) {
    if (call.headers === null || typeof call.headers !== 'object' || Array.isArray(call.headers)) throw invalid('headers', 'must be an object of strings');
    for (const [name, value] of Object.entries(call.headers as Record<string, unknown>)) {
      if (typeof value !== 'string') throw invalid(`headers.${name}`, 'must be a string');
      const lower = name.toLowerCase();
      if (RESERVED_HEADERS.has(lower) || lower.startsWith(STEWARD_HEADER_PREFIX)) throw invalid(`headers.${name}`, 'is set by Steward and may not be given');
      try {
        new Headers([[name, value]]);
      } catch {
        throw invalid(`headers.${name}`, 'is not a valid header name and value');
      }
      headers[name] = value;
    }
  }

  if (call.body !== undefined && method === 'GET') throw invalid('body', 'cannot be sent with GET');

  const timeoutMs = call.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_HTTP_TIMEOUT_MS) {
    throw invalid('timeoutMs', `must be an integer from 1 to ${MAX_HTTP_TIMEOUT_MS}`);
  }

  let successStatus: number[] | undefined;
  if (call.successStatus !== undefined) {
    const list = call.successStatus;
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
      throw invalid('successStatus', 'must be a non-empty list of HTTP status codes');
    }
    successStatus = list as number[];
  }

  const credential = typeof call.credential === 'string' ? call.credential : undefined;
  return { executor: 'http', url, method: method as HttpMethod, headers, body: call.body, timeoutMs, successStatus, ...(credential ? { credential } : {}) };
}

/** Resolves a hostname to every address it has; injectable so that tests can pin DNS. */
@Injectable()
export class HostResolver {
  async resolve(hostname: string): Promise<string[]> {
    const results = await lookup(hostname, { all: true, verbatim: true });
    return results.map((r) => r.address);
  }
}

/** Rejects with the signal's reason once it aborts, whatever the promise does. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * A `lookup` for the socket that answers the address the guard checked, whatever it is asked:
 * the connection never resolves the hostname a second time, so a DNS answer that changes
 * between the check and the connect (rebinding) changes nothing.
 */
export function pinnedLookup(address: string): LookupFunction {
  const family = parseIpAddress(address)?.family ?? 4;
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

interface PinnedRequest {
  url: URL;
  method: HttpMethod;
  /** The checked address the socket connects to. */
  address: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/**
 * One request to the pinned address. The URL's hostname still names the host (Host header,
 * TLS server name and certificate check); only the address lookup is replaced. No agent, so no
 * pooled socket to another address is reused; no redirect is followed (node:http follows none).
 */
function sendPinned(req: PinnedRequest): Promise<IncomingMessage> {
  const hostname = req.url.hostname.startsWith('[') ? req.url.hostname.slice(1, -1) : req.url.hostname;
  const isIp = parseIpAddress(hostname) !== undefined;
  const options = {
    method: req.method,
    host: hostname,
    port: effectivePort(req.url),
    path: `${req.url.pathname}${req.url.search}`,
    headers: req.headers,
    lookup: pinnedLookup(req.address),
    agent: false as const,
    signal: req.signal,
    // SNI takes a hostname only; for an IP URL the certificate is checked against the IP.
    ...(req.url.protocol === 'https:' && !isIp ? { servername: hostname } : {}),
  };
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = (req.url.protocol === 'https:' ? httpsRequest : httpRequest)(options, resolve);
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string })?.code;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (code && code !== 'ABORT_ERR') return code;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/** A content type as a short token (`application/json`), or nothing when it is anything else. */
function contentTypeOf(response: IncomingMessage): string {
  const match = /^\s*([\w.+-]{1,64}\/[\w.+-]{1,64})/.exec(String(response.headers['content-type'] ?? ''));
  return match ? ` (${match[1].toLowerCase()})` : '';
}

/** Where a redirect pointed, without its query or fragment (they may carry tokens). */
function redirectTarget(location: string | undefined, base: URL): string {
  if (!location) return '';
  try {
    const target = new URL(location, base);
    return ` to ${target.origin}${target.pathname}`;
  } catch {
    return ' to an invalid location';
  }
}

/** The detail as it may be stored: redacted and short. */
function storable(detail: string): string {
  const redacted = redactSecrets(detail);
  return redacted.length <= MAX_STEP_DETAIL_CHARS ? redacted : `${redacted.slice(0, MAX_STEP_DETAIL_CHARS - 1)}…`;
}

/**
 * Calls an HTTP endpoint of the target system.
 *
 * - SSRF: the host is resolved once; every address must be public or allowed by
 *   EXECUTOR_ALLOWED_TARGETS (target-policy.ts), else StewardError 'forbidden'; the socket
 *   then connects to the first checked address through a pinned lookup, never resolving
 *   again (no DNS rebinding). Redirects are never followed: a 3xx is a failure naming where
 *   it pointed (unless successStatus lists it), so a target cannot bounce the call inward.
 * - Credentials: a call names one (`credential`) that the worker holds (EXECUTOR_CREDENTIALS);
 *   an unknown name, or an origin the credential is not bound to, is refused (StewardError
 *   'invalid' / 'forbidden', non-retryable: the step fails with that reason).
 * - Unsafe consumption: only the status line is read; the response body is discarded unread,
 *   so a huge, slow or hostile body costs nothing and never reaches a step detail.
 * - Every request is signed so the target can verify Steward sent it (request-signature.ts).
 */
@Injectable()
export class HttpExecutor implements StepExecutor {
  constructor(
    private readonly settings: ExecutorSettings,
    private readonly resolver: HostResolver,
  ) {}

  async execute(call: StepAction, context: StepExecutionContext): Promise<StepExecutionResult> {
    const parsed = parseHttpCall(call);
    const { url, method } = parsed;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const where = `${method} ${url.origin}${url.pathname}`; // no query: it may carry secrets
    const failed = (detail: string, statusCode?: number): StepExecutionResult => ({ outcome: 'failed', detail: storable(`${where}: ${detail}`), statusCode, durationMs: elapsed() });

    if (context.signal.aborted) throw context.signal.reason;
    const credentialHeaders = this.credentialFor(parsed);
    let bodyText: string | undefined;
    if (parsed.body !== undefined) {
      try {
        bodyText = JSON.stringify(parsed.body);
      } catch (error) {
        throw invalid('body', `cannot be sent as JSON: ${(error as Error).message}`);
      }
    }

    const timeout = AbortSignal.timeout(parsed.timeoutMs);
    const signal = AbortSignal.any([context.signal, timeout]);
    const timedOut = () => failed(`timed out after ${parsed.timeoutMs} ms`);
    context.heartbeat({ executor: 'http', elapsedMs: 0 });
    const beat = setInterval(() => context.heartbeat({ executor: 'http', elapsedMs: elapsed() }), HTTP_HEARTBEAT_INTERVAL_MS);
    beat.unref();
    try {
      // The SSRF guard: every address the host has must be public or allowed.
      const hostname = url.hostname;
      const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
      let addresses: string[];
      if (parseIpAddress(bare)) {
        addresses = [bare];
      } else {
        try {
          addresses = await untilAborted(this.resolver.resolve(bare), signal);
        } catch (error) {
          if (context.signal.aborted) throw context.signal.reason;
          if (timeout.aborted) return timedOut();
          return failed(`could not resolve ${bare}: ${(error as { code?: string }).code ?? (error as Error).message}`);
        }
      }
      const port = effectivePort(url);
      const verdict = evaluateTarget({ hostname, port, addresses, allowed: this.settings.targetPatterns });
      if (!verdict.allowed) {
        throw new StewardError('forbidden', `http executor refuses ${url.origin}: ${verdict.reason}`, {
          url: url.origin,
          address: verdict.address,
          addressClass: verdict.addressClass,
        });
      }

      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(parsed.headers)) headers[name.toLowerCase()] = value;
      if (bodyText !== undefined) {
        headers['content-type'] ??= 'application/json';
        headers['content-length'] = String(Buffer.byteLength(bodyText));
      }
      headers['user-agent'] ??= 'Steward-Executor/1';
      for (const [name, value] of Object.entries(credentialHeaders)) headers[name.toLowerCase()] = value;
      headers['idempotency-key'] = context.idempotencyKey;
      headers['x-steward-change'] = context.changeId;
      headers['x-steward-step'] = context.stepId;
      headers['x-steward-timestamp'] = String(timestamp);
      headers['x-steward-signature'] = signatureHeader(this.settings.signingKey, { timestamp, method, url: url.href, body: bodyText ?? '' });

      let response: IncomingMessage;
      try {
        response = await sendPinned({ url, method, address: verdict.addresses[0].address, headers, body: bodyText, signal });
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        if (timeout.aborted) return timedOut();
        return failed(`request failed: ${describeNetworkError(error)}`);
      }
      // The body is never read: its size, pace and content are the target's, not ours.
      response.destroy();

      const status = response.statusCode ?? 0;
      // The standard reason phrase, not the target's: a status line can carry text too.
      const statusLine = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}${contentTypeOf(response)}`;
      const success = parsed.successStatus ? parsed.successStatus.includes(status) : status >= 200 && status <= 299;
      if (success) return { outcome: 'succeeded', detail: storable(`${where}: ${statusLine}`), statusCode: status, durationMs: elapsed() };
      if (status >= 300 && status <= 399) {
        const location = response.headers.location;
        return failed(`${statusLine}: redirect${redirectTarget(Array.isArray(location) ? location[0] : location, url)} not followed (the plan names the final URL)`, status);
      }
      return failed(statusLine, status);
    } finally {
      clearInterval(beat);
    }
  }

  /** The headers of the credential the call names; refuses an unknown one, or one not bound to this origin. */
  private credentialFor(call: HttpCall): Record<string, string> {
    if (!call.credential) return {};
    const credential = this.settings.credentials[call.credential];
    if (!credential) {
      throw new StewardError('invalid', `http executor: credential "${call.credential}" is not configured on this worker (EXECUTOR_CREDENTIALS)`, { field: 'credential' });
    }
    if (!credential.origins.includes(call.url.origin)) {
      throw new StewardError('forbidden', `http executor: credential "${call.credential}" may not be sent to ${call.url.origin} (its origins: ${credential.origins.join(', ')})`, {
        field: 'credential',
        url: call.url.origin,
      });
    }
    return credential.headers;
  }
}
