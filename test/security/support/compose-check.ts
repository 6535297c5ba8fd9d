import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * What docker-compose.yml must not do, checked from the YAML alone (no docker-compose needed):
 * carry a secret value, or a fallback for one, or publish Temporal beyond loopback.
 */

/** Variable names that hold secrets. */
export const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|PWD|_KEY|_KEYS|TOKEN|CREDENTIALS)$/;
/** `${NAME:?message}`: compose refuses to start without NAME. */
const REQUIRED_REFERENCE = /^\$\{[A-Z][A-Z0-9_]*:\?[^}]*\}$/;
/** `${NAME:-}`: empty unless given; no value in the file. */
const EMPTY_DEFAULT = /^\$\{[A-Z][A-Z0-9_]*:-\}$/;
/** A loopback publication of a port: `127.0.0.1:host:container` (or through a variable defaulting to it). */
const LOOPBACK_PORT = /^(127\.0\.0\.1|\$\{[A-Z_]+:-127\.0\.0\.1\}):\d+:\d+$/;

interface ComposeService {
  environment?: Record<string, unknown> | string[];
  ports?: unknown[];
}

export function readCompose(path: string): { text: string; services: Record<string, ComposeService> } {
  const text = readFileSync(path, 'utf8');
  const document = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
  return { text, services: document.services };
}

function environmentOf(service: ComposeService): Record<string, string> {
  if (Array.isArray(service.environment)) {
    return Object.fromEntries(service.environment.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
}

/** Every problem in the file, as `service.VARIABLE: why`. */
export function composeProblems(path: string): string[] {
  const { text, services } = readCompose(path);
  const problems: string[] = [];
  for (const [name, service] of Object.entries(services)) {
    for (const [variable, value] of Object.entries(environmentOf(service))) {
      if (SECRET_NAME.test(variable) && !REQUIRED_REFERENCE.test(value) && !EMPTY_DEFAULT.test(value)) {
        problems.push(`${name}.${variable}: a secret must be a required variable (\${${variable}:?...}), never a value or a fallback`);
      }
      if (/^postgres(ql)?:\/\//.test(value)) {
        const password = /^postgres(ql)?:\/\/[^:@/]+:(\$\{[^}]*\}|[^@]*)@/.exec(value)?.[2];
        if (password === undefined || !REQUIRED_REFERENCE.test(password)) problems.push(`${name}.${variable}: the URL's password must be a required variable`);
      }
    }
    if (name === 'temporal' || name === 'temporal-ui' || name === 'postgres') {
      for (const port of service.ports ?? []) {
        if (typeof port !== 'string' || !LOOPBACK_PORT.test(port)) problems.push(`${name}.ports: ${JSON.stringify(port)} is published beyond loopback`);
      }
    }
  }
  // Anywhere in the file: a secret variable never gets a fallback value.
  for (const match of text.matchAll(/\$\{([A-Z][A-Z0-9_]*)(:?-)([^}]*)\}/g)) {
    if (SECRET_NAME.test(match[1]) && match[3] !== '') problems.push(`\${${match[1]}${match[2]}...}: a secret with a fallback value`);
  }
  return problems;
}
