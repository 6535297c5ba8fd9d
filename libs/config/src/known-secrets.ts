/**
 * Secret values that anyone with a copy of the repository knows. A deployment that kept one
 * (an old compose fallback, a test secret copied into a `.env`) lets that reader mint tokens
 * or forge signatures, so start-up refuses them, whatever NODE_ENV says.
 *
 * The rule: `loadConfig` (every process that reads its configuration from the environment:
 * the API, the worker, `npm start`, the migration runner) refuses any value below and any
 * value carrying a placeholder word. The test suite and the benches never read their secrets
 * from the environment: they hand them to `createApi` / `WorkerModule` directly, so this list
 * can hold their values too. A value added to the repository as an example or a test secret
 * belongs here (docs/security/secrets-and-executor.md).
 */
export const KNOWN_EXAMPLE_SECRETS: readonly string[] = [
  // docker-compose.yml fallbacks until the secrets became required variables.
  'dev-only-jwt-secret-change-me-in-production-0123',
  'dev-only-decision-key-change-me-in-production-0123',
  'steward-dev-password',
  // test/support/harness.ts, bench/support.ts and the unit tests.
  'steward-test-secret-0123456789-abcdefghijklmnop',
  'steward-test-signing-secret-0123456789-abcdefgh',
  'steward-bench-secret-0123456789-abcdefghijkl',
  'steward-bench-signing-secret-0123456789-abcdef',
  'executor-test-signing-key-0123456789abcdef',
  'executor-signing-key-0123456789abcdef',
  'a-test-secret-that-is-long-enough-0123456789',
  'a-signing-secret-for-tests-0123456789abcdef',
  'security-suite-executor-key-0123456789abcdef',
  // The payload codec and Ed25519 decision keys of the test harness (issue 11, Temporal slice).
  'RuPmX1NXfPDMEjAZNxkVwUTi2/Ti5gIM8s/seeEDP8k=',
  'v02Sj1LNvuYFHXdbK929hs7drMT1+EY1Yd38DC+nVFA=',
];

/**
 * Secret variables read by other parts of the configuration, checked here from the raw
 * environment so that every secret passes the same rule. A list variable (`id:key,id:key`) is
 * checked key by key.
 */
export const OTHER_SECRET_VARIABLES: readonly { name: string; list?: boolean }[] = [
  { name: 'WORKER_SECRET' },
  { name: 'AUDIT_SIGNING_KEY' },
  { name: 'TEMPORAL_API_KEY' },
  { name: 'PAYLOAD_CODEC_KEYS', list: true },
];

/** The problems of the secret variables of OTHER_SECRET_VARIABLES in `env`. */
export function otherSecretProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const { name, list } of OTHER_SECRET_VARIABLES) {
    const value = env[name];
    if (!value) continue;
    const parts = list ? value.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1)) : [value];
    const problem = parts.map((part) => exampleSecretProblem(name, part)).find((p) => p !== undefined);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Words that only a value someone meant to replace contains. */
const PLACEHOLDER = /change[-_ .]?me|replace[-_ .]?me|dev[-_ .]?only|for[-_ .]?tests?\b|example|placeholder|insecure|not[-_ .]?secret|your[-_ .]?(secret|key|password|token)|<[^<>]{1,80}>/i;

/**
 * Why `value` of `variable` must not be used as a secret, or undefined when it may. The
 * message names the variable, never the value (it may be a real secret with a typo).
 */
export function exampleSecretProblem(variable: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const trimmed = value.trim();
  if (KNOWN_EXAMPLE_SECRETS.includes(trimmed)) {
    return `${variable} is a value published in the Steward repository (an example, a default or a test secret): generate a new one, e.g. openssl rand -base64 48`;
  }
  if (PLACEHOLDER.test(trimmed)) {
    return `${variable} looks like a placeholder (it says change-me, example, dev-only, <...> or the like): generate a real secret, e.g. openssl rand -base64 48`;
  }
  return undefined;
}

/** The password of a postgres:// URL, decoded; undefined when it has none or is not a URL. */
export function passwordOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.password ? decodeURIComponent(parsed.password) : undefined;
  } catch {
    return undefined;
  }
}
