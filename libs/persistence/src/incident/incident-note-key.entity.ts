import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { IncidentEntity } from './incident.entities';

/**
 * A note signalled to an incident's workflow from outside (a resolved or re-firing alert), by
 * its idempotency key. The workflow records every signal as a new event, and records it after
 * the signal call has returned, so the timeline cannot tell a repeat from a new fact in time:
 * the sender claims the key here first and signals only when the claim is new.
 */
@Entity({ name: 'incident_note_key' })
export class IncidentNoteKeyEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_incident_note_key' })
  incidentId: string;

  @PrimaryColumn({ name: 'note_key', type: 'varchar', length: 200, primaryKeyConstraintName: 'pk_incident_note_key' })
  noteKey: string;

  @ManyToOne(() => IncidentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'fk_incident_note_key_incident' })
  incident?: IncidentEntity;

  @Column({ name: 'claimed_at', type: 'timestamptz', default: () => 'now()' })
  claimedAt: Date;
}
