import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The post-implementation review that emergency and failed changes owe. */
export class AddChangeReview1764507600000 implements MigrationInterface {
  name = 'AddChangeReview1764507600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "change_request" ADD "review" jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "change_request" DROP COLUMN "review"`);
  }
}
