import { APPEND_ONLY_TABLES, applicationRoleGrants } from './application-role';

describe('applicationRoleGrants', () => {
  const statements = applicationRoleGrants('steward_app');

  it('gives ordinary DML on every table, then takes UPDATE, DELETE and TRUNCATE back on the append-only ones', () => {
    const dml = statements.indexOf('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "steward_app"');
    expect(dml).toBeGreaterThan(statements.indexOf('REVOKE ALL ON ALL TABLES IN SCHEMA "public" FROM "steward_app"'));
    for (const table of APPEND_ONLY_TABLES) {
      expect(statements.indexOf(`REVOKE UPDATE, DELETE, TRUNCATE ON "public"."${table}" FROM "steward_app"`)).toBeGreaterThan(dml);
    }
    expect(APPEND_ONLY_TABLES).toContain('audit_event');
  });

  it('never grants TRUNCATE, TRIGGER, REFERENCES or ALL', () => {
    for (const statement of statements.filter((s) => s.startsWith('GRANT'))) expect(statement).not.toMatch(/TRUNCATE|TRIGGER|REFERENCES|\bALL PRIVILEGES\b|GRANT ALL/);
  });

  it('keeps the migrations table from the application', () => {
    expect(statements).toContain('REVOKE ALL ON "public"."steward_migrations" FROM "steward_app"');
  });

  it('refuses a role name it would have to quote', () => {
    expect(() => applicationRoleGrants('app"; DROP TABLE audit_event; --')).toThrow(/not a plain lower-case role name/);
    expect(() => applicationRoleGrants('App')).toThrow();
  });
});
