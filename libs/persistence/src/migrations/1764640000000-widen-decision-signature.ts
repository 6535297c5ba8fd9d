import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Decisions are signed with Ed25519 now: 64 bytes, written as 86 base64url characters, where
 * the HMAC was 64 hex characters. A varchar, not a char, so nothing is padded. Signatures
 * recorded before stay as they are (trimmed); the gate refuses them, since the worker only
 * accepts Ed25519 signatures: changes approved before the upgrade need their votes cast again.
 */
export class WidenDecisionSignature1764640000000 implements MigrationInterface {
  name = 'WidenDecisionSignature1764640000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "change_approval" ALTER COLUMN "signature" TYPE character varying(128) USING rtrim("signature")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "change_approval" ALTER COLUMN "signature" TYPE character(64) USING left("signature", 64)`);
  }
}
