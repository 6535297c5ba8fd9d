import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a target knows a request came from Steward: an HMAC-SHA256, keyed with the executor
 * signing key, over `<timestamp>.<method>.<url>.<body>` where
 *   - timestamp is the `X-Steward-Timestamp` header (unix seconds, decimal),
 *   - method is upper case (`POST`),
 *   - url is the request URL as the WHATWG URL parser serializes it (`new URL(url).href`),
 *   - body is the exact request body, the empty string when there is none.
 * It travels as `X-Steward-Signature: sha256=<lower-case hex>`.
 */
export interface SignedParts {
  timestamp: number | string;
  method: string;
  url: string;
  body: string;
}

export const SIGNATURE_SCHEME = 'sha256';

export function signatureBase(parts: SignedParts): string {
  return `${parts.timestamp}.${parts.method}.${parts.url}.${parts.body}`;
}

/** The lower-case hex HMAC-SHA256 of the signature base. */
export function computeSignature(signingKey: string, parts: SignedParts): string {
  return createHmac('sha256', signingKey).update(signatureBase(parts), 'utf8').digest('hex');
}

/** The `X-Steward-Signature` header value: `sha256=<hex>`. */
export function signatureHeader(signingKey: string, parts: SignedParts): string {
  return `${SIGNATURE_SCHEME}=${computeSignature(signingKey, parts)}`;
}

/**
 * For targets written in TypeScript (and our tests): checks a signature header in constant
 * time, and that the timestamp is within `toleranceSeconds` of `now` to limit replays.
 */
export function verifySignature(
  signingKey: string,
  parts: SignedParts,
  header: string | undefined,
  options: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  if (!header) return false;
  const timestamp = Number(parts.timestamp);
  if (!Number.isInteger(timestamp)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureHeader(signingKey, parts), 'utf8');
  const actual = Buffer.from(header.trim(), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
