import { DataSource } from 'typeorm';
import { stewardDataSourceOptions } from '../data-source-options';

/**
 * Two database roles: the schema's owner runs the migrations; the API and the worker connect
 * as an application role that owns nothing and is no superuser. The owner alone can alter or
 * drop a table, or disable its triggers; the application role gets ordinary DML, except on the
 * append-only tables, where it may only read and append. So someone holding the application's
 * database credentials can add to the audit log but never rewrite, delete or truncate it, not
 * even by switching its refusing triggers off.
 */

/**
 * Tables whose rows the application may add but never rewrite or remove, with what it may do.
 * Tables not yet created are skipped, so the list can name those of migrations to come. Any
 * other table guarded by a `*_refuse_change` trigger is treated as append-only too.
 */
export const RESTRICTED_TABLES: Readonly<Record<string, readonly ('SELECT' | 'INSERT' | 'UPDATE')[]>> = {
  audit_event: ['SELECT', 'INSERT'],
  incident_event: ['SELECT', 'INSERT'],
  audit_checkpoint: ['SELECT', 'INSERT'],
  // The execution ledger: a claim takes its outcome once (its trigger checks which columns).
  change_execution: ['SELECT', 'INSERT', 'UPDATE'],
};
export const APPEND_ONLY_TABLES = Object.keys(RESTRICTED_TABLES).filter((t) => !RESTRICTED_TABLES[t].includes('UPDATE'));
/** Tables the application never touches. */
const OWNER_ONLY_TABLES = ['steward_migrations'] as const;

const ROLE = /^[a-z_][a-z0-9_]{0,62}$/;
const TABLE = /^[a-z_][a-z0-9_]{0,62}$/;

function quoted(role: string): string {
  if (!ROLE.test(role)) throw new Error(`"${role}" is not a plain lower-case role name`);
  return `"${role}"`;
}

/**
 * The statements that give `role` its rights on every table of the schema as it stands:
 * `tables` are the schema's tables, `appendOnly` those a refusing trigger guards beyond the
 * list above. Idempotent (each run revokes, then grants), and meant to run after every
 * migration run, since migrations keep adding tables.
 */
export function applicationRoleGrants(role: string, tables: readonly string[] = Object.keys(RESTRICTED_TABLES), appendOnly: readonly string[] = [], schema = 'public'): string[] {
  const r = quoted(role);
  const s = `"${schema}"`;
  const existing = new Set(tables.filter((t) => TABLE.test(t)));
  const restricted = new Map<string, readonly string[]>();
  for (const [table, rights] of Object.entries(RESTRICTED_TABLES)) if (existing.has(table)) restricted.set(table, rights);
  for (const table of appendOnly) if (existing.has(table) && !restricted.has(table)) restricted.set(table, ['SELECT', 'INSERT']);
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${r}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    // TRUNCATE, REFERENCES and TRIGGER were never granted; the rest goes again here.
    ...[...restricted].flatMap(([table, rights]) => [
      `REVOKE ALL ON ${s}."${table}" FROM ${r}, PUBLIC`,
      `GRANT ${rights.join(', ')} ON ${s}."${table}" TO ${r}`,
    ]),
    ...OWNER_ONLY_TABLES.filter((t) => existing.has(t)).map((table) => `REVOKE ALL ON ${s}."${table}" FROM ${r}`),
  ];
}

interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Grants the application role its rights, as the owner. Refuses a role that would make the
 * split meaningless: one that does not exist, is a superuser, or is the owner itself.
 */
export async function grantApplicationRole(db: Queryable, role: string): Promise<void> {
  const rows = (await db.query(`SELECT rolsuper, rolname = current_user AS is_self FROM pg_roles WHERE rolname = $1`, [role])) as Array<{ rolsuper: boolean; is_self: boolean }>;
  if (rows.length === 0) throw new Error(`DATABASE_APP_ROLE: the role ${role} does not exist (create it first: docs/security/secrets-and-executor.md)`);
  if (rows[0].rolsuper) throw new Error(`DATABASE_APP_ROLE: ${role} is a superuser; the application role must not be one`);
  if (rows[0].is_self) throw new Error(`DATABASE_APP_ROLE: ${role} is the role running the migrations; the application needs a role of its own`);
  const tables = ((await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)) as Array<{ tablename: string }>).map((t) => t.tablename);
  // Tables a refusing trigger guards (audit_event_refuse_change and its kind) are append-only.
  const guarded = (await db.query(`SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT t.tgisinternal AND p.proname LIKE '%refuse_change'`)) as Array<{ relname: string }>;
  for (const statement of applicationRoleGrants(role, tables, guarded.map((g) => g.relname))) await db.query(statement);
}

/** Runs pending migrations as the owner, then (given an application role) grants it its rights. */
export async function migrateDatabase(options: { url: string; appRole?: string; applicationName?: string }): Promise<{ applied: string[] }> {
  const db = await new DataSource(stewardDataSourceOptions({ url: options.url, applicationName: options.applicationName ?? 'steward-migrate', poolSize: 1 })).initialize();
  try {
    const applied = await db.runMigrations({ transaction: 'each' });
    if (options.appRole) {
      const role = options.appRole;
      await db.transaction((tx) => grantApplicationRole(tx, role));
    }
    return { applied: applied.map((m) => m.name) };
  } finally {
    await db.destroy();
  }
}

/**
 * Why the role this connection runs as is too powerful for the application: a superuser, the
 * owner of the audit log, or any role that may UPDATE, DELETE or TRUNCATE it. Empty when it is
 * a proper application role.
 */
export async function applicationRoleProblems(db: Queryable): Promise<string[]> {
  const [row] = (await db.query(`SELECT current_user AS role,
      (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
      pg_get_userbyid(c.relowner) = current_user AS owner,
      has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE') AS can_rewrite
    FROM pg_class c WHERE c.oid = to_regclass('audit_event')`)) as Array<{ role: string; superuser: boolean; owner: boolean; can_rewrite: boolean }>;
  if (!row) return ['the database has no audit_event table: run the migrations first (npm run migration:run)'];
  const problems: string[] = [];
  const advice = 'connect the API and worker as an application role (DATABASE_URL) and run migrations as the owner (DATABASE_MIGRATION_URL, DATABASE_APP_ROLE); see docs/security/secrets-and-executor.md';
  if (row.superuser) problems.push(`DATABASE_URL connects as ${row.role}, a superuser: ${advice}`);
  else if (row.owner) problems.push(`DATABASE_URL connects as ${row.role}, the owner of the audit log: ${advice}`);
  else if (row.can_rewrite) problems.push(`DATABASE_URL connects as ${row.role}, which may UPDATE, DELETE or TRUNCATE the audit log: ${advice}`);
  return problems;
}

/** applicationRoleProblems over a connection of its own to `url` (start-up of the API and worker). */
export async function checkApplicationRole(url: string): Promise<string[]> {
  const db = await new DataSource(stewardDataSourceOptions({ url, applicationName: 'steward-role-check', poolSize: 1 })).initialize();
  try {
    return await applicationRoleProblems(db);
  } finally {
    await db.destroy();
  }
}
