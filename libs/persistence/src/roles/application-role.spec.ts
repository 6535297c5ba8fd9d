import { APPEND_ONLY_TABLES, applicationRoleGrants } from './application-role';

describe('applicationRoleGrants', () => {
  const tables = ['change_request', 'audit_event', 'incident_event', 'change_execution', 'steward_migrations', 'evidence_log'];
  const statements = applicationRoleGrants('steward_app', tables, ['evidence_log']);

  it('gives ordinary DML on every table, then only SELECT and INSERT on the append-only ones', () => {
    const dml = statements.indexOf('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "steward_app"');
    expect(dml).toBeGreaterThan(statements.indexOf('REVOKE ALL ON ALL TABLES IN SCHEMA "public" FROM "steward_app"'));
    for (const table of ['audit_event', 'incident_event', 'evidence_log']) {
      expect(statements.indexOf(`REVOKE ALL ON "public"."${table}" FROM "steward_app", PUBLIC`)).toBeGreaterThan(dml);
      expect(statements).toContain(`GRANT SELECT, INSERT ON "public"."${table}" TO "steward_app"`);
    }
    expect(APPEND_ONLY_TABLES).toEqual(expect.arrayContaining(['audit_event', 'incident_event']));
  });

  it('lets the execution ledger take its outcome, never lose a claim', () => {
    expect(statements).toContain('GRANT SELECT, INSERT, UPDATE ON "public"."change_execution" TO "steward_app"');
  });

  it('skips tables that do not exist yet', () => {
    expect(applicationRoleGrants('steward_app', ['change_request']).join('\n')).not.toMatch(/audit_event|change_execution|steward_migrations/);
  });

  it('never grants TRUNCATE, TRIGGER, REFERENCES or ALL', () => {
    for (const statement of statements.filter((s) => s.startsWith('GRANT'))) expect(statement).not.toMatch(/TRUNCATE|TRIGGER|REFERENCES|GRANT ALL/);
  });

  it('keeps the migrations table from the application', () => {
    expect(statements).toContain('REVOKE ALL ON "public"."steward_migrations" FROM "steward_app"');
  });

  it('refuses a role name it would have to quote', () => {
    expect(() => applicationRoleGrants('app"; DROP TABLE audit_event; --')).toThrow(/not a plain lower-case role name/);
    expect(() => applicationRoleGrants('App')).toThrow();
  });
});
