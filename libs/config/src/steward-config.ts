import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';
import {
  SOD_IMPLEMENTER_MODES,
  WINDOW_CLOSE_POLICIES,
  type ChangeProcessSettings,
  type IncidentProcessSettings,
  type ProblemProcessSettings,
  type SodImplementerMode,
  type WindowClosePolicy,
} from '@steward/domain';
import { decisionVerifyKeyOf, parseDecisionSigningKey, parseDecisionVerifyKey, parsePayloadCodecKeys, readKeyMaterial, type PayloadCodecKey } from '@steward/security';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseExecutorCredentials, type ExecutorCredentials } from './executor-credentials';
import { exampleSecretProblem, otherSecretProblems, passwordOfUrl } from './known-secrets';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `500ms`, `45s`, `30m`, `8h`, `2d`. */
const DURATION = /^\d{1,7}(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** A claim name or a dotted path to a nested claim (`realm_access.roles`). */
const CLAIM_PATH = /^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/;

/** A `host:port` or `host:*` pattern the http executor may call although it is not public. */
const TARGET_PATTERN = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+|\*):(\d{1,5}|\*)$/;

/** A whole number from 0 to `max`, every failure with the same message naming the variable. */
function WholeNumber(name: string, max: number, note: string): PropertyDecorator {
  const message = `${name} must be a whole number from 0 to ${max}${note}`;
  return (target, property) => {
    IsInt({ message })(target, property);
    Min(0, { message })(target, property);
    Max(max, { message })(target, property);
  };
}

/**
 * The environment as the process received it. Only the variables of the API contract
 * (shared/API.md, Configuration) and a few Steward-specific ones are read.
 */
class StewardEnvironment {
  @IsOptional() @IsInt() @Min(1) @Max(65535)
  PORT?: number;

  @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional() @IsUrl({ require_tld: false, protocols: ['https', 'http'] }, { message: 'OIDC_ISSUER must be an http(s) URL' })
  OIDC_ISSUER?: string;

  @IsOptional() @IsString()
  OIDC_AUDIENCE?: string;

  @IsOptional() @Matches(CLAIM_PATH, { message: 'OIDC_ROLES_CLAIM must be a claim name or a dotted path such as realm_access.roles' })
  OIDC_ROLES_CLAIM?: string;

  @IsOptional() @Matches(CLAIM_PATH, { message: 'OIDC_GROUPS_CLAIM must be a claim name or a dotted path such as groups' })
  OIDC_GROUPS_CLAIM?: string;

  @IsOptional() @IsIn(SOD_IMPLEMENTER_MODES, { message: 'SOD_IMPLEMENTER must be distinct or any' })
  SOD_IMPLEMENTER?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** The schema owner's URL: migrations run as it (default DATABASE_URL). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_MIGRATION_URL must be a postgres:// URL' })
  DATABASE_MIGRATION_URL?: string;

  /** The role the API and worker connect as; the migration runner grants it what it may do. */
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_APP_ROLE must be a lower-case PostgreSQL role name' })
  DATABASE_APP_ROLE?: string;

  /** Named credentials of the http executor: inline JSON or a file path (executor-credentials.ts). */
  @IsOptional() @IsString()
  EXECUTOR_CREDENTIALS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, { message: 'TEMPORAL_ADDRESS must be host:port' })
  TEMPORAL_ADDRESS?: string;

  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,255}$/, { message: 'TEMPORAL_NAMESPACE must be a Temporal namespace name' })
  TEMPORAL_NAMESPACE?: string;

  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,255}$/, { message: 'TEMPORAL_TASK_QUEUE must be a task queue name' })
  TEMPORAL_TASK_QUEUE?: string;

  @IsOptional() @IsString()
  TEMPORAL_CLI_PATH?: string;

  @IsOptional()
  @ValidateIf((env: StewardEnvironment) => env.EXECUTOR_ALLOWED_TARGETS !== '')
  @Matches(/^\s*[^,\s]+(\s*,\s*[^,\s]+)*\s*$/, { message: 'EXECUTOR_ALLOWED_TARGETS must be comma-separated host:port patterns' })
  EXECUTOR_ALLOWED_TARGETS?: string;

  @IsOptional() @IsString() @MinLength(1)
  DATA_DIR?: string;

  @IsOptional() @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: string;

  /** Ed25519 private key of decisions (API only): base64 of the 32-byte seed, or a PKCS#8 PEM. Checked in loadConfig. */
  @IsOptional() @IsString()
  DECISION_SIGNING_KEY?: string;

  /** Ed25519 public key of decisions (worker): base64 of the 32 raw bytes, or an SPKI PEM. Checked in loadConfig. */
  @IsOptional() @IsString()
  DECISION_VERIFY_KEY?: string;

  @IsOptional() @IsString() @MinLength(32, { message: 'WORKER_SECRET must be at least 32 characters' })
  WORKER_SECRET?: string;

  /** `id:base64-of-32-bytes,...`: the first encrypts, all decrypt. Checked in loadConfig. */
  @IsOptional() @IsString()
  PAYLOAD_CODEC_KEYS?: string;

  @IsOptional() @IsString()
  PAYLOAD_CODEC_KEY_FILE?: string;

  @IsOptional() @Matches(/^https?:\/\/[A-Za-z0-9.\-[\]:]+$/, { message: 'TEMPORAL_UI_ORIGIN must be an origin such as https://temporal-ui.example.com:8080 (scheme, host and port, no path)' })
  TEMPORAL_UI_ORIGIN?: string;

  @IsOptional() @IsString()
  TEMPORAL_TLS_CERT?: string;

  @IsOptional() @IsString()
  TEMPORAL_TLS_KEY?: string;

  @IsOptional() @IsString()
  TEMPORAL_TLS_CA?: string;

  @IsOptional() @Matches(/^[A-Za-z0-9.-]{1,253}$/, { message: 'TEMPORAL_TLS_SERVER_NAME must be a host name' })
  TEMPORAL_TLS_SERVER_NAME?: string;

  @IsOptional() @IsIn(['true', 'false'], { message: 'TEMPORAL_TLS must be true or false' })
  TEMPORAL_TLS?: string;

  @IsOptional() @IsString() @MinLength(8, { message: 'TEMPORAL_API_KEY looks too short to be an API key' })
  TEMPORAL_API_KEY?: string;

  @IsOptional() @IsInt({ message: 'CMDB_STALE_AFTER_DAYS must be a whole number of days' }) @Min(1) @Max(3650)
  CMDB_STALE_AFTER_DAYS?: number;

  @IsOptional() @Matches(DURATION, { message: 'APPROVAL_REMINDER_AFTER must be a duration such as 30m, 8h or 2d' })
  APPROVAL_REMINDER_AFTER?: string;

  @IsOptional() @Matches(DURATION, { message: 'APPROVAL_ESCALATE_AFTER must be a duration such as 30m, 8h or 2d' })
  APPROVAL_ESCALATE_AFTER?: string;

  @IsOptional() @Matches(DURATION, { message: 'APPROVAL_EXPIRE_AFTER must be a duration such as 30m, 8h or 2d' })
  APPROVAL_EXPIRE_AFTER?: string;

  @IsOptional() @Matches(DURATION, { message: 'REVIEW_DUE_AFTER must be a duration such as 30m, 8h or 2d' })
  REVIEW_DUE_AFTER?: string;

  @IsOptional() @IsIn(WINDOW_CLOSE_POLICIES, { message: 'WINDOW_CLOSE_POLICY must be rollback or hold' })
  WINDOW_CLOSE_POLICY?: string;

  @IsOptional() @Matches(DURATION, { message: 'INCIDENT_COMMANDER_DEADLINE must be a duration such as 30m, 8h or 2d' })
  INCIDENT_COMMANDER_DEADLINE?: string;

  @IsOptional() @Matches(DURATION, { message: 'STAKEHOLDER_UPDATE_P1 must be a duration such as 30m, 8h or 2d' })
  STAKEHOLDER_UPDATE_P1?: string;

  @IsOptional() @Matches(DURATION, { message: 'STAKEHOLDER_UPDATE_P2 must be a duration such as 30m, 8h or 2d' })
  STAKEHOLDER_UPDATE_P2?: string;

  @IsOptional() @Matches(DURATION, { message: 'HANDOVER_TIMEOUT must be a duration such as 30m, 8h or 2d' })
  HANDOVER_TIMEOUT?: string;

  @IsOptional() @Matches(DURATION, { message: 'PROBLEM_RECURRENCE_WINDOW must be a duration such as 30m, 8h or 2d' })
  PROBLEM_RECURRENCE_WINDOW?: string;

  @IsOptional() @Matches(DURATION, { message: 'PROBLEM_OBSERVATION must be a duration such as 30m, 8h or 2d' })
  PROBLEM_OBSERVATION?: string;

  @IsOptional() @Matches(DURATION, { message: 'PROBLEM_FIX_POLL must be a duration such as 30m, 8h or 2d' })
  PROBLEM_FIX_POLL?: string;

  @IsOptional() @IsInt({ message: 'PROBLEM_RECURRENCE_COUNT must be a whole number' }) @Min(2) @Max(1000)
  PROBLEM_RECURRENCE_COUNT?: number;

  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'NOTIFY_WEBHOOK_URL must be an http(s) URL' })
  NOTIFY_WEBHOOK_URL?: string;

  @IsOptional() @IsInt({ message: 'DISCOVERY_EXPLAIN_DAYS must be a whole number of days' }) @Min(1) @Max(3650)
  DISCOVERY_EXPLAIN_DAYS?: number;

  // Abuse controls (docs/security/abuse-and-audit.md): 0 disables a limit.
  @IsOptional() @WholeNumber('RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', 1_000_000, ' (0 disables)')
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE?: number;

  @IsOptional() @WholeNumber('RATE_LIMIT_WRITES_PER_MINUTE', 1_000_000, ' (0 disables)')
  RATE_LIMIT_WRITES_PER_MINUTE?: number;

  @IsOptional() @WholeNumber('RATE_LIMIT_WRITES_PER_ADDRESS_PER_MINUTE', 1_000_000, ' (0 disables)')
  RATE_LIMIT_WRITES_PER_ADDRESS_PER_MINUTE?: number;

  @IsOptional() @WholeNumber('EVENT_STREAMS_PER_PRINCIPAL', 10_000, ' (0 disables)')
  EVENT_STREAMS_PER_PRINCIPAL?: number;

  @IsOptional() @IsString()
  CORS_ORIGINS?: string;

  @IsOptional() @WholeNumber('HSTS_MAX_AGE', 63_072_000, ' of seconds')
  HSTS_MAX_AGE?: number;

  @IsOptional() @Matches(/^(loopback|linklocal|uniquelocal|\d{1,2}|[0-9a-fA-F.:/]+)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+))*$/, {
    message: 'TRUST_PROXY must be a hop count (1) or comma-separated proxy addresses/subnets (loopback, 10.0.0.0/8)',
  })
  TRUST_PROXY?: string;

  @IsOptional() @IsString()
  AUDIT_SIGNING_KEY?: string;

  @IsOptional() @IsString()
  AUDIT_TRUSTED_PUBLIC_KEYS?: string;

  @IsOptional() @Matches(DURATION, { message: 'AUDIT_CHECKPOINT_EVERY must be a duration such as 30m, 8h or 2d' })
  AUDIT_CHECKPOINT_EVERY?: string;

  @IsOptional() @WholeNumber('AUDIT_CHECKPOINT_EVENTS', 100_000_000, ' (0: by time only)')
  AUDIT_CHECKPOINT_EVENTS?: number;
}

export interface StewardConfig {
  port: number;
  auth: { jwtSecret?: string; oidcIssuer?: string; oidcAudience?: string; rolesClaim?: string; groupsClaim?: string };
  /** SOD_IMPLEMENTER: recorded on each change at submission (default `distinct`). */
  sodImplementer: SodImplementerMode;
  /** Unset: the embedded PostgreSQL is used (only `npm start` provides it). */
  databaseUrl?: string;
  /** Where migrations run: the schema owner (DATABASE_MIGRATION_URL, default databaseUrl). */
  databaseMigrationUrl?: string;
  /** DATABASE_APP_ROLE: granted DML after migrations; SELECT and INSERT only on append-only tables. */
  databaseAppRole?: string;
  /** EXECUTOR_CREDENTIALS: only the worker uses them; the API never reads them. */
  executorCredentials: ExecutorCredentials;
  temporal: {
    /** Unset: the embedded dev server is used (only `npm start` provides it). */
    address?: string;
    namespace: string;
    taskQueue: string;
    cliPath?: string;
    /** TLS, mTLS, API key for a secured cluster; undefined: plain gRPC (a local dev server). */
    connection?: TemporalConnectionSettings;
  };
  /** The Temporal UI allowed to call the codec endpoint from the browser (CORS); unset: no CORS. */
  temporalUiOrigin?: string;
  /** Payload codec keys (PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE), first encrypts. */
  payloadCodecKeys?: PayloadCodecKey[];
  executorAllowedTargets: string[];
  dataDir: string;
  logLevel: LogLevel;
  /** DECISION_SIGNING_KEY, validated Ed25519 private key text: the API signs votes with it. */
  decisionSigningKey?: string;
  /** DECISION_VERIFY_KEY, validated Ed25519 public key text: the worker verifies votes with it. */
  decisionVerifyKey?: string;
  /** WORKER_SECRET: implementation tokens and executor request signatures (worker only). */
  workerSecret?: string;
  cmdb: CmdbSettings;
  changeProcess: ChangeProcessSettings;
  incidentProcess: IncidentProcessSettings;
  problemProcess: ProblemProcessConfig;
  notifications: NotificationSettings;
  abuse: AbuseSettings;
  web: WebSecuritySettings;
  auditCheckpoints: AuditCheckpointSettings;
}

/** Rate limits and caps of the API (per API process: see docs/security/abuse-and-audit.md). 0 disables one. */
export interface AbuseSettings {
  /** 401s per minute from one client address (and for one presented subject) before 429. */
  authFailuresPerMinute: number;
  /** POST/PUT/PATCH/DELETE per minute per authenticated principal. */
  writesPerMinute: number;
  /** POST/PUT/PATCH/DELETE per minute per client address, whoever is calling from it. */
  writesPerAddressPerMinute: number;
  /** Open Server-Sent Event streams per principal. */
  eventStreamsPerPrincipal: number;
}

export const DEFAULT_ABUSE_SETTINGS: AbuseSettings = {
  authFailuresPerMinute: 20,
  writesPerMinute: 120,
  writesPerAddressPerMinute: 1200,
  eventStreamsPerPrincipal: 5,
};

/** Browser-facing HTTP settings of the API. */
export interface WebSecuritySettings {
  /** Exact origins allowed by CORS; empty: no cross-origin access at all. */
  corsOrigins: string[];
  /** Strict-Transport-Security max-age; unset: the header is not sent (TLS ends elsewhere or not at all). */
  hstsMaxAgeSeconds?: number;
  /** Express `trust proxy`: whose X-Forwarded-For is believed for the client address; unset: none. */
  trustProxy?: string;
}

export const DEFAULT_WEB_SECURITY: WebSecuritySettings = { corsOrigins: [] };

/** Signed checkpoints of the audit chain's head. */
export interface AuditCheckpointSettings {
  /** AUDIT_SIGNING_KEY: Ed25519 private key, PEM or base64 of its PKCS#8 DER form; unset: no checkpoints. */
  signingKey?: string;
  /** Public keys (PEM or base64 SPKI DER) of earlier signing keys whose checkpoints still verify. */
  trustedPublicKeys: string[];
  /** The worker writes one when the head moved and this long passed since the last... */
  everyMs: number;
  /** ...or when this many events were appended since the last (0: by time only). */
  everyEvents: number;
}

export const DEFAULT_AUDIT_CHECKPOINTS: AuditCheckpointSettings = { trustedPublicKeys: [], everyMs: 10 * 60_000, everyEvents: 1000 };

/** Same shape as TemporalTlsSettings in libs/temporal (kept apart so config needs no SDK). */
export interface TemporalConnectionSettings {
  certPath?: string;
  keyPath?: string;
  caPath?: string;
  serverName?: string;
  apiKey?: string;
  enabled?: boolean;
}

/** The change process settings (ChangeProcessSettings, libs/domain) when nothing is configured. */
export const DEFAULT_CHANGE_PROCESS: ChangeProcessSettings = {
  approvalReminderMs: 24 * 3_600_000,
  approvalEscalationMs: 48 * 3_600_000,
  approvalExpiryMs: 5 * 86_400_000,
  windowClosePolicy: 'rollback',
  reviewDueMs: 5 * 86_400_000,
};

/** The incident process timings (IncidentProcessSettings, libs/domain) of issue 6, when nothing is configured. */
export const DEFAULT_INCIDENT_PROCESS: IncidentProcessSettings = {
  commanderDeadlineMs: 15 * 60_000,
  stakeholderUpdateMs: { P1: 30 * 60_000, P2: 60 * 60_000 },
  handoverTimeoutMs: 15 * 60_000,
  dutyManagerGroup: 'duty-managers',
};

/** The problem workflow's settings and the thresholds by which the API opens a problem. */
export interface ProblemProcessConfig extends ProblemProcessSettings {
  /** The N-th incident of one signature (service + category) within the window opens a problem. */
  recurrenceCount: number;
  recurrenceWindowMs: number;
}

export const DEFAULT_PROBLEM_PROCESS: ProblemProcessConfig = {
  recurrenceCount: 3,
  recurrenceWindowMs: 7 * 86_400_000,
  observationMs: 14 * 86_400_000,
  fixPollMs: 60_000,
};

export interface NotificationSettings {
  /** Outbound webhook (JSON with Slack-compatible `text`); unset: in-app notifications only. */
  webhookUrl?: string;
  /** How often the worker looks for deliveries due (default 500 ms; tests shorten it). */
  dispatchPollMs?: number;
  /** How long one POST to the webhook may take (default 5 s). */
  deliveryTimeoutMs?: number;
}

export interface CmdbSettings {
  /** A CI not reported by discovery for this long is flagged stale. */
  staleAfterDays: number;
  /** Drift is explained by a change completed at most this long before the snapshot. */
  discoveryExplainDays: number;
}

export const DEFAULT_CMDB_SETTINGS: CmdbSettings = { staleAfterDays: 7, discoveryExplainDays: 30 };

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads and validates the configuration. Every bad variable is named in one error, so an
 * operator fixes them all in one go rather than one per restart.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StewardConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(new StewardEnvironmentKeys())) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const numeric of [
    'PORT',
    'CMDB_STALE_AFTER_DAYS',
    'DISCOVERY_EXPLAIN_DAYS',
    'PROBLEM_RECURRENCE_COUNT',
    'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE',
    'RATE_LIMIT_WRITES_PER_MINUTE',
    'RATE_LIMIT_WRITES_PER_ADDRESS_PER_MINUTE',
    'EVENT_STREAMS_PER_PRINCIPAL',
    'HSTS_MAX_AGE',
    'AUDIT_CHECKPOINT_EVENTS',
  ]) {
    if (raw[numeric] !== undefined && /^\d+$/.test(String(raw[numeric]))) raw[numeric] = Number(raw[numeric]);
  }
  const parsed = plainToInstance(StewardEnvironment, raw);
  const errors = validateSync(parsed, { forbidUnknownValues: true, stopAtFirstError: true });
  const problems = errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((message) =>
      message.startsWith(e.property) ? message : `${e.property}: ${message}`,
    ),
  );

  const targets = (parsed.EXECUTOR_ALLOWED_TARGETS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  for (const target of targets) {
    if (!TARGET_PATTERN.test(target)) {
      problems.push(`EXECUTOR_ALLOWED_TARGETS: "${target}" is not a host:port pattern (e.g. 127.0.0.1:8080 or 10.0.0.5:*)`);
    }
  }
  // Secrets anyone with the repository knows are refused, whatever NODE_ENV (known-secrets.ts).
  for (const [variable, value] of [
    ['JWT_SECRET', parsed.JWT_SECRET],
    ['DECISION_SIGNING_KEY', parsed.DECISION_SIGNING_KEY],
    ['DATABASE_URL (its password)', passwordOfUrl(parsed.DATABASE_URL)],
    ['DATABASE_MIGRATION_URL (its password)', passwordOfUrl(parsed.DATABASE_MIGRATION_URL)],
  ] as const) {
    const problem = exampleSecretProblem(variable, value);
    if (problem) problems.push(problem);
  }
  problems.push(...otherSecretProblems(env));
  const executorCredentials = parseExecutorCredentials(parsed.EXECUTOR_CREDENTIALS);
  problems.push(...executorCredentials.problems);

  const corsOrigins = commaList(parsed.CORS_ORIGINS);
  for (const origin of corsOrigins) {
    if (!isExactOrigin(origin)) problems.push(`CORS_ORIGINS: "${origin}" is not an exact origin such as https://console.example.com (scheme, host, optional port; no path, no wildcard)`);
  }
  const auditKey = parsed.AUDIT_SIGNING_KEY ? parsed.AUDIT_SIGNING_KEY.trim() : undefined;
  if (auditKey) {
    const problem = ed25519PrivateKeyProblem(auditKey);
    if (problem) problems.push(`AUDIT_SIGNING_KEY ${problem}`);
  }
  const trustedPublicKeys = splitKeys(parsed.AUDIT_TRUSTED_PUBLIC_KEYS);
  for (const [index, key] of trustedPublicKeys.entries()) {
    const problem = ed25519PublicKeyProblem(key);
    if (problem) problems.push(`AUDIT_TRUSTED_PUBLIC_KEYS (key ${index + 1}) ${problem}`);
  }
  // Without an audience any token the issuer signs for any other application would pass.
  if (parsed.OIDC_ISSUER && !parsed.OIDC_AUDIENCE) problems.push('OIDC_AUDIENCE must be set when OIDC_ISSUER is set (the aud every access token must carry)');
  if (problems.length === 0) {
    const reminder = parsed.APPROVAL_REMINDER_AFTER ? parseDuration(parsed.APPROVAL_REMINDER_AFTER) : DEFAULT_CHANGE_PROCESS.approvalReminderMs;
    const escalate = parsed.APPROVAL_ESCALATE_AFTER ? parseDuration(parsed.APPROVAL_ESCALATE_AFTER) : DEFAULT_CHANGE_PROCESS.approvalEscalationMs;
    const expire = parsed.APPROVAL_EXPIRE_AFTER ? parseDuration(parsed.APPROVAL_EXPIRE_AFTER) : DEFAULT_CHANGE_PROCESS.approvalExpiryMs;
    if (!(reminder < escalate && escalate < expire)) {
      problems.push('APPROVAL_REMINDER_AFTER < APPROVAL_ESCALATE_AFTER < APPROVAL_EXPIRE_AFTER must hold');
    }
  }
  const secrets = readSecrets(parsed, problems);
  const connection = readTemporalConnection(parsed, problems);
  if (problems.length > 0) throw new ConfigurationError(problems);

  return {
    port: parsed.PORT ?? 3000,
    auth: {
      jwtSecret: parsed.JWT_SECRET,
      oidcIssuer: parsed.OIDC_ISSUER,
      oidcAudience: parsed.OIDC_AUDIENCE,
      rolesClaim: parsed.OIDC_ROLES_CLAIM,
      groupsClaim: parsed.OIDC_GROUPS_CLAIM,
    },
    sodImplementer: (parsed.SOD_IMPLEMENTER as SodImplementerMode | undefined) ?? 'distinct',
    databaseUrl: parsed.DATABASE_URL,
    databaseMigrationUrl: parsed.DATABASE_MIGRATION_URL ?? parsed.DATABASE_URL,
    databaseAppRole: parsed.DATABASE_APP_ROLE,
    executorCredentials: executorCredentials.credentials,
    temporal: {
      address: parsed.TEMPORAL_ADDRESS,
      namespace: parsed.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: parsed.TEMPORAL_TASK_QUEUE ?? 'steward',
      cliPath: parsed.TEMPORAL_CLI_PATH,
      connection,
    },
    temporalUiOrigin: parsed.TEMPORAL_UI_ORIGIN,
    payloadCodecKeys: secrets.payloadCodecKeys,
    executorAllowedTargets: targets,
    dataDir: resolve(parsed.DATA_DIR ?? './.data'),
    logLevel: (parsed.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    decisionSigningKey: parsed.DECISION_SIGNING_KEY,
    decisionVerifyKey: parsed.DECISION_VERIFY_KEY,
    workerSecret: parsed.WORKER_SECRET,
    changeProcess: {
      approvalReminderMs: parsed.APPROVAL_REMINDER_AFTER ? parseDuration(parsed.APPROVAL_REMINDER_AFTER) : DEFAULT_CHANGE_PROCESS.approvalReminderMs,
      approvalEscalationMs: parsed.APPROVAL_ESCALATE_AFTER ? parseDuration(parsed.APPROVAL_ESCALATE_AFTER) : DEFAULT_CHANGE_PROCESS.approvalEscalationMs,
      approvalExpiryMs: parsed.APPROVAL_EXPIRE_AFTER ? parseDuration(parsed.APPROVAL_EXPIRE_AFTER) : DEFAULT_CHANGE_PROCESS.approvalExpiryMs,
      windowClosePolicy: (parsed.WINDOW_CLOSE_POLICY as WindowClosePolicy | undefined) ?? DEFAULT_CHANGE_PROCESS.windowClosePolicy,
      reviewDueMs: parsed.REVIEW_DUE_AFTER ? parseDuration(parsed.REVIEW_DUE_AFTER) : DEFAULT_CHANGE_PROCESS.reviewDueMs,
    },
    incidentProcess: {
      commanderDeadlineMs: durationOr(parsed.INCIDENT_COMMANDER_DEADLINE, DEFAULT_INCIDENT_PROCESS.commanderDeadlineMs),
      stakeholderUpdateMs: {
        P1: durationOr(parsed.STAKEHOLDER_UPDATE_P1, DEFAULT_INCIDENT_PROCESS.stakeholderUpdateMs.P1),
        P2: durationOr(parsed.STAKEHOLDER_UPDATE_P2, DEFAULT_INCIDENT_PROCESS.stakeholderUpdateMs.P2),
      },
      handoverTimeoutMs: durationOr(parsed.HANDOVER_TIMEOUT, DEFAULT_INCIDENT_PROCESS.handoverTimeoutMs),
      dutyManagerGroup: DEFAULT_INCIDENT_PROCESS.dutyManagerGroup,
    },
    problemProcess: {
      recurrenceCount: parsed.PROBLEM_RECURRENCE_COUNT ?? DEFAULT_PROBLEM_PROCESS.recurrenceCount,
      recurrenceWindowMs: durationOr(parsed.PROBLEM_RECURRENCE_WINDOW, DEFAULT_PROBLEM_PROCESS.recurrenceWindowMs),
      observationMs: durationOr(parsed.PROBLEM_OBSERVATION, DEFAULT_PROBLEM_PROCESS.observationMs),
      fixPollMs: durationOr(parsed.PROBLEM_FIX_POLL, DEFAULT_PROBLEM_PROCESS.fixPollMs),
    },
    notifications: { webhookUrl: parsed.NOTIFY_WEBHOOK_URL },
    abuse: {
      authFailuresPerMinute: parsed.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE ?? DEFAULT_ABUSE_SETTINGS.authFailuresPerMinute,
      writesPerMinute: parsed.RATE_LIMIT_WRITES_PER_MINUTE ?? DEFAULT_ABUSE_SETTINGS.writesPerMinute,
      writesPerAddressPerMinute: parsed.RATE_LIMIT_WRITES_PER_ADDRESS_PER_MINUTE ?? DEFAULT_ABUSE_SETTINGS.writesPerAddressPerMinute,
      eventStreamsPerPrincipal: parsed.EVENT_STREAMS_PER_PRINCIPAL ?? DEFAULT_ABUSE_SETTINGS.eventStreamsPerPrincipal,
    },
    web: { corsOrigins, hstsMaxAgeSeconds: parsed.HSTS_MAX_AGE, trustProxy: parsed.TRUST_PROXY },
    auditCheckpoints: {
      signingKey: auditKey,
      trustedPublicKeys,
      everyMs: durationOr(parsed.AUDIT_CHECKPOINT_EVERY, DEFAULT_AUDIT_CHECKPOINTS.everyMs),
      everyEvents: parsed.AUDIT_CHECKPOINT_EVENTS ?? DEFAULT_AUDIT_CHECKPOINTS.everyEvents,
    },
    cmdb: {
      staleAfterDays: parsed.CMDB_STALE_AFTER_DAYS ?? DEFAULT_CMDB_SETTINGS.staleAfterDays,
      discoveryExplainDays: parsed.DISCOVERY_EXPLAIN_DAYS ?? DEFAULT_CMDB_SETTINGS.discoveryExplainDays,
    },
  };
}

/**
 * What a server process (API or worker, run on its own) needs beyond the embedded defaults:
 * it cannot start its own databases, and tokens must be verifiable.
 */
export function requireServerConfig(config: StewardConfig, role: 'api' | 'worker'): void {
  const problems: string[] = [];
  if (!config.databaseUrl) problems.push('DATABASE_URL must be set (the embedded PostgreSQL comes only with `npm start`)');
  if (!config.temporal.address) problems.push('TEMPORAL_ADDRESS must be set (the embedded Temporal server comes only with `npm start`)');
  if (!config.payloadCodecKeys?.length) problems.push('PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE must be set, the same keys for API and worker (they encrypt what Temporal stores)');
  if (role === 'api' && !config.decisionSigningKey) problems.push('DECISION_SIGNING_KEY must be set for the API (the Ed25519 private key it signs decisions with)');
  if (role === 'worker') {
    if (config.decisionSigningKey) problems.push('DECISION_SIGNING_KEY must not be given to the worker: give it DECISION_VERIFY_KEY (the public key) only');
    if (!config.decisionVerifyKey) problems.push('DECISION_VERIFY_KEY must be set for the worker (the Ed25519 public key of DECISION_SIGNING_KEY)');
    if (!config.workerSecret) problems.push('WORKER_SECRET must be set for the worker (it signs implementation tokens and executor requests)');
  }
  if (role === 'api' && !config.auth.jwtSecret && !config.auth.oidcIssuer) {
    problems.push('JWT_SECRET or OIDC_ISSUER must be set so that bearer tokens can be verified');
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
}

/** The variable names, for reading only those from the environment. */
class StewardEnvironmentKeys implements Record<keyof StewardEnvironment, undefined> {
  PORT = undefined;
  JWT_SECRET = undefined;
  OIDC_ISSUER = undefined;
  OIDC_AUDIENCE = undefined;
  OIDC_ROLES_CLAIM = undefined;
  OIDC_GROUPS_CLAIM = undefined;
  SOD_IMPLEMENTER = undefined;
  DATABASE_URL = undefined;
  DATABASE_MIGRATION_URL = undefined;
  DATABASE_APP_ROLE = undefined;
  EXECUTOR_CREDENTIALS = undefined;
  TEMPORAL_ADDRESS = undefined;
  TEMPORAL_NAMESPACE = undefined;
  TEMPORAL_TASK_QUEUE = undefined;
  TEMPORAL_CLI_PATH = undefined;
  EXECUTOR_ALLOWED_TARGETS = undefined;
  DATA_DIR = undefined;
  LOG_LEVEL = undefined;
  DECISION_SIGNING_KEY = undefined;
  DECISION_VERIFY_KEY = undefined;
  WORKER_SECRET = undefined;
  PAYLOAD_CODEC_KEYS = undefined;
  PAYLOAD_CODEC_KEY_FILE = undefined;
  TEMPORAL_UI_ORIGIN = undefined;
  TEMPORAL_TLS_CERT = undefined;
  TEMPORAL_TLS_KEY = undefined;
  TEMPORAL_TLS_CA = undefined;
  TEMPORAL_TLS_SERVER_NAME = undefined;
  TEMPORAL_TLS = undefined;
  TEMPORAL_API_KEY = undefined;
  CMDB_STALE_AFTER_DAYS = undefined;
  DISCOVERY_EXPLAIN_DAYS = undefined;
  APPROVAL_REMINDER_AFTER = undefined;
  APPROVAL_ESCALATE_AFTER = undefined;
  APPROVAL_EXPIRE_AFTER = undefined;
  REVIEW_DUE_AFTER = undefined;
  WINDOW_CLOSE_POLICY = undefined;
  INCIDENT_COMMANDER_DEADLINE = undefined;
  STAKEHOLDER_UPDATE_P1 = undefined;
  STAKEHOLDER_UPDATE_P2 = undefined;
  HANDOVER_TIMEOUT = undefined;
  PROBLEM_RECURRENCE_WINDOW = undefined;
  PROBLEM_OBSERVATION = undefined;
  PROBLEM_FIX_POLL = undefined;
  PROBLEM_RECURRENCE_COUNT = undefined;
  NOTIFY_WEBHOOK_URL = undefined;
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE = undefined;
  RATE_LIMIT_WRITES_PER_MINUTE = undefined;
  RATE_LIMIT_WRITES_PER_ADDRESS_PER_MINUTE = undefined;
  EVENT_STREAMS_PER_PRINCIPAL = undefined;
  CORS_ORIGINS = undefined;
  HSTS_MAX_AGE = undefined;
  TRUST_PROXY = undefined;
  AUDIT_SIGNING_KEY = undefined;
  AUDIT_TRUSTED_PUBLIC_KEYS = undefined;
  AUDIT_CHECKPOINT_EVERY = undefined;
  AUDIT_CHECKPOINT_EVENTS = undefined;
}

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** `https://host[:port]` exactly as a browser sends it in `Origin`: no path, no trailing slash. */
function isExactOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin;
  } catch {
    return false;
  }
}

/** Keys are separated by commas; a PEM block holds none, so it stays whole. */
function splitKeys(value: string | undefined): string[] {
  return commaList(value?.replace(/\\n/g, '\n'));
}

function ed25519PrivateKeyProblem(text: string): string | undefined {
  try {
    const key = readKeyMaterial(text, 'private');
    return key.asymmetricKeyType === 'ed25519' ? undefined : `must be an Ed25519 private key, not ${key.asymmetricKeyType}`;
  } catch {
    return 'must be an Ed25519 private key: PEM (-----BEGIN PRIVATE KEY-----) or base64 of its PKCS#8 DER form';
  }
}

function ed25519PublicKeyProblem(text: string): string | undefined {
  try {
    const key = readKeyMaterial(text, 'public');
    return key.asymmetricKeyType === 'ed25519' ? undefined : `must be an Ed25519 public key, not ${key.asymmetricKeyType}`;
  } catch {
    return 'must be an Ed25519 public key: PEM (-----BEGIN PUBLIC KEY-----) or base64 of its SPKI DER form';
  }
}

/** The decision keys and payload codec keys, each checked by parsing it; problems name the variable. */
function readSecrets(env: StewardEnvironment, problems: string[]): { payloadCodecKeys?: PayloadCodecKey[] } {
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const signing = env.DECISION_SIGNING_KEY ? attempt(() => parseDecisionSigningKey(env.DECISION_SIGNING_KEY!)) : undefined;
  const verifying = env.DECISION_VERIFY_KEY ? attempt(() => parseDecisionVerifyKey(env.DECISION_VERIFY_KEY!)) : undefined;
  if (signing && verifying && decisionVerifyKeyOf(signing) !== decisionVerifyKeyOf(verifying)) {
    problems.push('DECISION_VERIFY_KEY is not the public key of DECISION_SIGNING_KEY');
  }
  if (env.PAYLOAD_CODEC_KEYS && env.PAYLOAD_CODEC_KEY_FILE) {
    problems.push('PAYLOAD_CODEC_KEYS and PAYLOAD_CODEC_KEY_FILE exclude each other: set one');
    return {};
  }
  if (env.PAYLOAD_CODEC_KEYS) return { payloadCodecKeys: attempt(() => parsePayloadCodecKeys(env.PAYLOAD_CODEC_KEYS!, 'PAYLOAD_CODEC_KEYS')) };
  if (env.PAYLOAD_CODEC_KEY_FILE) {
    const text = attempt(() => readFileOrSay(env.PAYLOAD_CODEC_KEY_FILE!, 'PAYLOAD_CODEC_KEY_FILE').toString('utf8'));
    return { payloadCodecKeys: text === undefined ? undefined : attempt(() => parsePayloadCodecKeys(text, `PAYLOAD_CODEC_KEY_FILE (${env.PAYLOAD_CODEC_KEY_FILE})`)) };
  }
  return {};
}

function readFileOrSay(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** TLS files are read and parsed now, so that a wrong path or a swapped file stops start-up. */
function readTemporalConnection(env: StewardEnvironment, problems: string[]): TemporalConnectionSettings | undefined {
  const settings: TemporalConnectionSettings = {};
  const pem = (variable: 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA', check: (text: string) => void): string | undefined => {
    const path = env[variable];
    if (!path) return undefined;
    try {
      const text = readFileOrSay(path, variable).toString('utf8');
      try {
        check(text);
      } catch {
        throw new Error(`${variable}: ${path} is not a PEM ${variable === 'TEMPORAL_TLS_KEY' ? 'private key' : 'certificate'}`);
      }
      return path;
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  settings.certPath = pem('TEMPORAL_TLS_CERT', (text) => new X509Certificate(text));
  settings.keyPath = pem('TEMPORAL_TLS_KEY', (text) => createPrivateKey(text));
  settings.caPath = pem('TEMPORAL_TLS_CA', (text) => new X509Certificate(text));
  if (!!env.TEMPORAL_TLS_CERT !== !!env.TEMPORAL_TLS_KEY) {
    problems.push(env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_CERT is set without TEMPORAL_TLS_KEY: mTLS needs the certificate and its key' : 'TEMPORAL_TLS_KEY is set without TEMPORAL_TLS_CERT: mTLS needs the certificate and its key');
  }
  settings.serverName = env.TEMPORAL_TLS_SERVER_NAME;
  settings.apiKey = env.TEMPORAL_API_KEY;
  // An API key is a bearer credential: never sent over plain gRPC (Temporal Cloud demands TLS anyway).
  if (env.TEMPORAL_TLS === 'false' && (settings.apiKey || env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || settings.serverName)) {
    problems.push('TEMPORAL_TLS=false contradicts TEMPORAL_API_KEY / TEMPORAL_TLS_* (an API key or certificate is only sent over TLS)');
  }
  settings.enabled = env.TEMPORAL_TLS === 'true' || !!(env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || settings.serverName || settings.apiKey);
  if (!settings.enabled) return undefined;
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as TemporalConnectionSettings;
}

function durationOr(value: string | undefined, fallback: number): number {
  return value ? parseDuration(value) : fallback;
}
