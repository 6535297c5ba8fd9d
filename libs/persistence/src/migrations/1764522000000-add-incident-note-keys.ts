import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotency keys of notes signalled to incidents from outside (alert intake). */
export class AddIncidentNoteKeys1764522000000 implements MigrationInterface {
  name = 'AddIncidentNoteKeys1764522000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE "incident_note_key" ("incident_id" character varying(20) NOT NULL, "note_key" character varying(200) NOT NULL, "claimed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_incident_note_key" PRIMARY KEY ("incident_id", "note_key"))`);
    await db.query(`ALTER TABLE "incident_note_key" ADD CONSTRAINT "fk_incident_note_key_incident" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "incident_note_key"`);
  }
}
