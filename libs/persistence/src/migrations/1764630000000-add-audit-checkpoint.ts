import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the audit chain's head (libs/domain/src/audit/checkpoint.ts). Append-only
 * like the chain itself: the database refuses UPDATE, DELETE and TRUNCATE.
 */
export class AddAuditCheckpoint1764630000000 implements MigrationInterface {
  name = 'AddAuditCheckpoint1764630000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE "audit_checkpoint" (
      "id" bigint GENERATED ALWAYS AS IDENTITY,
      "head_seq" bigint NOT NULL,
      "head_hash" character(64) NOT NULL,
      "events" bigint NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "key_id" character varying(64) NOT NULL,
      "signature" text NOT NULL,
      "created_by" character varying(200) NOT NULL,
      CONSTRAINT "pk_audit_checkpoint" PRIMARY KEY ("id"),
      CONSTRAINT "ck_audit_checkpoint_head" CHECK ("head_seq" >= 1 AND "events" >= 1))`);
    await db.query(`CREATE INDEX "ix_audit_checkpoint_head" ON "audit_checkpoint" ("head_seq")`);
    await db.query(`CREATE FUNCTION "audit_checkpoint_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_checkpoint is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`CREATE TRIGGER "trg_audit_checkpoint_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_checkpoint"
      FOR EACH ROW EXECUTE FUNCTION "audit_checkpoint_refuse_change"()`);
    await db.query(`CREATE TRIGGER "trg_audit_checkpoint_no_truncate" BEFORE TRUNCATE ON "audit_checkpoint"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_checkpoint_refuse_change"()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "audit_checkpoint"`);
    await db.query(`DROP FUNCTION "audit_checkpoint_refuse_change"()`);
  }
}
