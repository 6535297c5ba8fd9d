import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pipeline service accounts and their API keys (only a SHA-256 of each key is kept), and the
 * segregation-of-duties setting recorded on each change at submission. Changes submitted before
 * this migration get `distinct`, the stricter setting.
 */
export class AddServiceAccountsAndSod1764610000000 implements MigrationInterface {
  name = 'AddServiceAccountsAndSod1764610000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE "service_account" (
      "id" character varying(40) NOT NULL,
      "name" character varying(100) NOT NULL,
      "scopes" text[] NOT NULL,
      "ci_keys" text[],
      "expires_at" TIMESTAMP WITH TIME ZONE,
      "created_by" character varying(200) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_service_account" PRIMARY KEY ("id"),
      CONSTRAINT "uq_service_account_name" UNIQUE ("name"),
      CONSTRAINT "ck_service_account_scopes" CHECK (cardinality("scopes") > 0 AND "scopes" <@ ARRAY['change:submit','change:read','gate:read','step:complete']::text[]))`);
    await db.query(`CREATE TABLE "api_key" (
      "id" character varying(40) NOT NULL,
      "account_id" character varying(40) NOT NULL,
      "key_hash" character(64) NOT NULL,
      "expires_at" TIMESTAMP WITH TIME ZONE,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "revoked_by" character varying(200),
      "last_used_at" TIMESTAMP WITH TIME ZONE,
      "created_by" character varying(200) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_api_key" PRIMARY KEY ("id"),
      CONSTRAINT "uq_api_key_hash" UNIQUE ("key_hash"),
      CONSTRAINT "fk_api_key_account" FOREIGN KEY ("account_id") REFERENCES "service_account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`);
    await db.query(`CREATE INDEX "ix_api_key_account" ON "api_key" ("account_id")`);
    await db.query(`ALTER TABLE "change_request" ADD "sod_implementer" character varying(10) NOT NULL DEFAULT 'distinct'`);
    await db.query(`ALTER TABLE "change_request" ADD CONSTRAINT "ck_change_request_sod_implementer" CHECK ("sod_implementer" IN ('distinct','any'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "change_request" DROP CONSTRAINT "ck_change_request_sod_implementer"`);
    await db.query(`ALTER TABLE "change_request" DROP COLUMN "sod_implementer"`);
    await db.query(`DROP TABLE "api_key"`);
    await db.query(`DROP TABLE "service_account"`);
  }
}
