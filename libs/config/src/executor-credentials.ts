import { CREDENTIAL_NAME, CREDENTIAL_NAME_RULE } from '@steward/contracts';
import { readFileSync } from 'node:fs';
import { exampleSecretProblem } from './known-secrets';

/**
 * One named credential of the http executor: the headers it adds to a call, and the origins it
 * may be sent to. Binding a credential to origins keeps a plan author from naming
 * `deploy-bot` on a URL of their own and collecting its token.
 */
export interface ExecutorCredential {
  headers: Record<string, string>;
  /** `https://deploy.example.com`, `http://10.0.0.5:8080`: scheme, host and port, nothing else. */
  origins: string[];
}

export type ExecutorCredentials = Record<string, ExecutorCredential>;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the executor sets itself; a credential may not replace them. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'idempotency-key', 'content-type']);

/**
 * Reads EXECUTOR_CREDENTIALS: a JSON object given inline (it starts with `{`) or the path of a
 * file holding one, `{ "<name>": { "headers": { ... }, "origins": [ ... ] } }`. Returns every
 * problem, each naming the variable and the entry, never a value.
 */
export function parseExecutorCredentials(
  source: string | undefined,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): { credentials: ExecutorCredentials; problems: string[] } {
  const credentials: ExecutorCredentials = {};
  const problems: string[] = [];
  if (source === undefined || source.trim() === '') return { credentials, problems };
  const variable = 'EXECUTOR_CREDENTIALS';
  let text = source.trim();
  if (!text.startsWith('{')) {
    try {
      text = readFile(text);
    } catch (error) {
      return { credentials, problems: [`${variable}: cannot read the file ${source.trim()}: ${(error as { code?: string }).code ?? (error as Error).message}`] };
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The text is secret: say where it is wrong, not what it says.
    return { credentials, problems: [`${variable} is not valid JSON`] };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { credentials, problems: [`${variable} must be a JSON object of named credentials`] };
  }
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const at = `${variable}.${name}`;
    if (!CREDENTIAL_NAME.test(name)) {
      problems.push(`${variable}: "${name.slice(0, 64)}" is not a credential name (${CREDENTIAL_NAME_RULE})`);
      continue;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${at} must be an object with headers and origins`);
      continue;
    }
    const { headers, origins, ...rest } = entry as Record<string, unknown>;
    for (const key of Object.keys(rest)) problems.push(`${at}.${key} is not a credential field (headers, origins)`);
    const checkedHeaders: Record<string, string> = {};
    if (headers === null || typeof headers !== 'object' || Array.isArray(headers) || Object.keys(headers as object).length === 0) {
      problems.push(`${at}.headers must be a non-empty object of header names to values`);
    } else {
      for (const [header, value] of Object.entries(headers as Record<string, unknown>)) {
        if (!HEADER_NAME.test(header) || RESERVED.has(header.toLowerCase()) || header.toLowerCase().startsWith('x-steward-')) {
          problems.push(`${at}.headers.${header} is not a header a credential may set`);
        } else if (typeof value !== 'string' || value.length === 0 || /[\r\n\0]/.test(value)) {
          problems.push(`${at}.headers.${header} must be a non-empty string on one line`);
        } else {
          const example = exampleSecretProblem(`${at}.headers.${header}`, value);
          if (example) problems.push(example);
          checkedHeaders[header] = value;
        }
      }
    }
    const checkedOrigins: string[] = [];
    if (!Array.isArray(origins) || origins.length === 0) {
      problems.push(`${at}.origins must be a non-empty list of origins the credential may be sent to (e.g. "https://deploy.example.com")`);
    } else {
      for (const origin of origins) {
        const normalised = originOf(origin);
        if (!normalised) problems.push(`${at}.origins: ${JSON.stringify(origin)} is not an http(s) origin (scheme, host and port only)`);
        else checkedOrigins.push(normalised);
      }
    }
    credentials[name] = { headers: checkedHeaders, origins: checkedOrigins };
  }
  return { credentials, problems };
}

/** `https://Deploy.Example.com:443` -> `https://deploy.example.com`; undefined when it is more than an origin. */
function originOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}
