import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the API answered to a POST sent with an `Idempotency-Key`, per caller and key, so that a
 * retried request gets the same answer and creates nothing twice. A row without a status is a
 * request still being worked on.
 */
export class AddIdempotentRequests1764650000000 implements MigrationInterface {
  name = 'AddIdempotentRequests1764650000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE "idempotent_request" (
      "principal_id" character varying(200) NOT NULL,
      "idempotency_key" character varying(200) NOT NULL,
      "route" character varying(500) NOT NULL,
      "fingerprint" character(64) NOT NULL,
      "status_code" integer,
      "response" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "pk_idempotent_request" PRIMARY KEY ("principal_id", "idempotency_key"))`);
    await db.query(`CREATE INDEX "ix_idempotent_request_created_at" ON "idempotent_request" ("created_at")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "idempotent_request"`);
  }
}
