import { CREDENTIAL_NAME, CREDENTIAL_NAME_RULE } from './change-vocabulary';

/**
 * Plans never hold credentials. A plan is stored, hashed, shown to every approver, copied into
 * workflow histories and audit entries: a token written into it is a token published. An
 * `http` step names a credential instead (`"credential": "deploy-bot"`) that only the worker
 * holds. These rules find what looks like a credential, so that the API refuses it (400
 * naming the field) and the executor refuses it again, and so that step details never carry
 * one back out.
 */

export interface SecretProblem {
  field: string;
  message: string;
}

/** Header names that carry credentials by definition. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey', 'private-token']);
/** Header (and query, body) names whose words say they carry a credential: X-Auth-Token, X-Vault-Token, X-Api-Secret... */
const SECRET_NAME_WORDS = /(^|[-_.])(api[-_]?key|apikey|access[-_]?key|token|secret|password|passwd|pwd|auth|credentials?|session|cookie|private[-_]?key|signature|sig)($|[-_.])/i;
/** Body keys: exact names only, since a body is the target's own vocabulary (`tokenTtl` is fine). */
const SECRET_BODY_KEYS = /^(password|passwd|pwd|secret|client[-_]?secret|token|access[-_]?token|refresh[-_]?token|id[-_]?token|api[-_]?key|apikey|private[-_]?key|authorization|cookie)$/i;

const AUTH_SCHEME = /\b(bearer|basic|digest|token|negotiate|apikey|api-key)\s+[A-Za-z0-9._~+/=-]{6,}/i;
const JWT = /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/;
const KEY_VALUE = /\b(password|passwd|pwd|secret|client[-_]?secret|token|access[-_]?token|api[-_]?key|apikey)\s*["']?\s*[=:]\s*["']?[^\s"'&,;}]{3,}/i;
/** Well-known token formats (GitHub, GitLab, Slack, AWS, Stripe) and PEM private keys. */
const KNOWN_FORMATS = /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|[sr]k_(live|test)_[A-Za-z0-9]{16,})\b|-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** A run of token characters long enough to be a key. */
const LONG_RUN = /[A-Za-z0-9+/_=.~-]{24,}/g;

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A random-looking run: upper case, lower case and digits mixed, with high entropy. Hex (commit
 * shas, digests) and UUIDs are lower case only, and version strings have little entropy, so
 * they pass; a 40-character hex token does too, which is the rule's known limit.
 */
function isHighEntropy(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) && entropy(run) >= 3.8;
}

/** Why a value looks like a credential, or undefined. */
export function secretLikeValue(value: string): string | undefined {
  if (AUTH_SCHEME.test(value)) return 'carries an authorization scheme with a credential';
  if (JWT.test(value)) return 'carries a JSON Web Token';
  if (KEY_VALUE.test(value)) return 'carries a password, secret or token assignment';
  if (KNOWN_FORMATS.test(value)) return 'carries a token of a known format or a private key';
  for (const run of value.match(LONG_RUN) ?? []) if (isHighEntropy(run)) return 'carries a long random string that looks like a key';
  return undefined;
}

/** Whether a header name is one that carries credentials. */
export function isSecretHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADERS.has(lower) || SECRET_NAME_WORDS.test(lower);
}

const USE_A_CREDENTIAL = 'credentials may not be written into a plan: name one the worker holds with "credential" (see EXECUTOR_CREDENTIALS)';

function bodyProblems(value: unknown, field: string, depth = 0): SecretProblem[] {
  if (depth > 20) return [];
  if (typeof value === 'string') {
    const why = secretLikeValue(value);
    return why ? [{ field, message: `${why}; ${USE_A_CREDENTIAL}` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => bodyProblems(item, `${field}.${i}`, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
      typeof item === 'string' && item.length > 0 && SECRET_BODY_KEYS.test(key)
        ? [{ field: `${field}.${key}`, message: `is named like a credential; ${USE_A_CREDENTIAL}` }]
        : bodyProblems(item, `${field}.${key}`, depth + 1),
    );
  }
  return [];
}

/**
 * What in an `http` executor call is, or looks like, a credential: secret header names
 * (Authorization, Cookie, X-Api-Key...), token-like header values, credentials in the URL
 * (user info, `?access_token=`), credential-named or token-like body values, and a malformed
 * `credential` name. `field` is the call's path (`plan.steps.0.action`).
 */
export function httpCallSecretProblems(call: Record<string, unknown>, field: string): SecretProblem[] {
  const problems: SecretProblem[] = [];
  if (call.credential !== undefined && (typeof call.credential !== 'string' || !CREDENTIAL_NAME.test(call.credential))) {
    problems.push({ field: `${field}.credential`, message: `must name a credential: ${CREDENTIAL_NAME_RULE}` });
  }
  const headers = call.headers;
  if (headers !== undefined && (headers === null || typeof headers !== 'object' || Array.isArray(headers))) {
    problems.push({ field: `${field}.headers`, message: 'must be an object of strings' });
  } else if (headers) {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (isSecretHeaderName(name)) {
        problems.push({ field: `${field}.headers.${name}`, message: `is a credential header; ${USE_A_CREDENTIAL}` });
        continue;
      }
      if (typeof value !== 'string') {
        problems.push({ field: `${field}.headers.${name}`, message: 'must be a string' });
        continue;
      }
      const why = secretLikeValue(value);
      if (why) problems.push({ field: `${field}.headers.${name}`, message: `${why}; ${USE_A_CREDENTIAL}` });
    }
  }
  if (typeof call.url === 'string') {
    let url: URL | undefined;
    try {
      url = new URL(call.url);
    } catch {
      url = undefined;
    }
    if (url) {
      if (url.username || url.password) {
        problems.push({ field: `${field}.url`, message: `carries credentials in its user info; ${USE_A_CREDENTIAL}` });
      }
      for (const [name, value] of url.searchParams) {
        const why = SECRET_NAME_WORDS.test(name) ? `has a credential in its query (${name})` : secretLikeValue(value) ? `has a credential-like value in its query (${name})` : undefined;
        if (why) {
          problems.push({ field: `${field}.url`, message: `${why}; ${USE_A_CREDENTIAL}` });
          break;
        }
      }
    }
  }
  if (call.body !== undefined) problems.push(...bodyProblems(call.body, `${field}.body`));
  return problems;
}

const REDACTED = '[redacted]';

/**
 * The text with everything that looks like a credential replaced by `[redacted]`: the last
 * line of defence for what a target or an error message says, before it lands in a step's
 * detail, the timeline or the audit log.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED)
    .replace(/(\/\/)[^/\s:@]+:[^/\s@]+@/g, `$1${REDACTED}@`)
    .replace(new RegExp(AUTH_SCHEME.source, 'gi'), (match) => `${match.split(/\s+/)[0]} ${REDACTED}`)
    .replace(new RegExp(JWT.source, 'g'), REDACTED)
    .replace(
      /\b(password|passwd|pwd|secret|client[-_]?secret|token|access[-_]?token|refresh[-_]?token|api[-_]?key|apikey|sig|signature)(\s*["']?\s*[=:]\s*["']?)[^\s"'&,;}]+/gi,
      `$1$2${REDACTED}`,
    )
    .replace(new RegExp(KNOWN_FORMATS.source, 'g'), REDACTED)
    .replace(LONG_RUN, (run) => (isHighEntropy(run) ? REDACTED : run));
}
