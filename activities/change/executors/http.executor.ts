import { Injectable } from '@nestjs/common';
import type { StepAction } from '@steward/contracts';
import { StewardError } from '@steward/domain';
import { lookup } from 'node:dns/promises';
import { ExecutorSettings } from './executor-settings';
import { signatureHeader } from './request-signature';
import type { StepExecutionContext, StepExecutionResult, StepExecutor } from './step-executor';
import { effectivePort, evaluateTarget, parseIpAddress } from './target-policy';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
export const MAX_HTTP_TIMEOUT_MS = 300_000;
/** How much of the response body goes into the detail. */
export const MAX_RESPONSE_DETAIL_BYTES = 64 * 1024;
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
  if (url.username || url.password) throw invalid('url', 'must not carry credentials (send them in headers)');

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

  return { executor: 'http', url, method: method as HttpMethod, headers, body: call.body, timeoutMs, successStatus };
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

/** Up to `limit` bytes of the body as text, and whether there was more. Cancels the rest. */
async function readBodyPrefix(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > limit) {
        truncated = true;
        break;
      }
    }
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  return { text: new TextDecoder('utf-8', { fatal: false }).decode(bytes), truncated };
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Calls an HTTP endpoint of the target system. Refuses (StewardError 'forbidden') hosts that
 * resolve to loopback, private, link-local, unspecified, multicast or reserved addresses unless
 * EXECUTOR_ALLOWED_TARGETS lets them; follows no redirect; signs every request so the target
 * can verify Steward sent it (see request-signature.ts).
 *
 * Known limit: fetch resolves the hostname again when it connects, so a DNS server that
 * answers differently the second time (rebinding) is not caught here; pinning the checked
 * address needs an undici dispatcher with a custom lookup.
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
    const failed = (detail: string, statusCode?: number): StepExecutionResult => ({ outcome: 'failed', detail: `${where}: ${detail}`, statusCode, durationMs: elapsed() });

    if (context.signal.aborted) throw context.signal.reason;
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
      const headers = new Headers(parsed.headers);
      if (bodyText !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      if (!headers.has('user-agent')) headers.set('user-agent', 'Steward-Executor/1');
      headers.set('Idempotency-Key', context.idempotencyKey);
      headers.set('X-Steward-Change', context.changeId);
      headers.set('X-Steward-Step', context.stepId);
      headers.set('X-Steward-Timestamp', String(timestamp));
      headers.set('X-Steward-Signature', signatureHeader(this.settings.signingKey, { timestamp, method, url: url.href, body: bodyText ?? '' }));

      let response: Response;
      try {
        response = await fetch(url.href, { method, headers, body: bodyText, redirect: 'manual', signal });
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        if (timeout.aborted) return timedOut();
        return failed(`request failed: ${describeNetworkError(error)}`);
      }

      const status = response.status;
      const statusLine = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
      let bodyNote: string;
      try {
        const { text, truncated } = await readBodyPrefix(response, MAX_RESPONSE_DETAIL_BYTES);
        bodyNote = text.length > 0 ? `: ${text}${truncated ? ` … [truncated at ${MAX_RESPONSE_DETAIL_BYTES} bytes]` : ''}` : '';
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        bodyNote = timeout.aborted ? ` (response body timed out after ${parsed.timeoutMs} ms)` : ` (response body unreadable: ${describeNetworkError(error)})`;
      }

      const success = parsed.successStatus ? parsed.successStatus.includes(status) : status >= 200 && status <= 299;
      if (success) return { outcome: 'succeeded', detail: `${where}: ${statusLine}${bodyNote}`, statusCode: status, durationMs: elapsed() };
      if (status >= 300 && status <= 399) {
        const location = response.headers.get('location');
        return failed(`${statusLine}: redirect${location ? ` to ${location}` : ''} not followed${bodyNote}`, status);
      }
      return failed(`${statusLine}${bodyNote}`, status);
    } finally {
      clearInterval(beat);
    }
  }
}
