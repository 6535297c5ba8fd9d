import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ChangeRequestEntity } from './change-request.entity';

/**
 * One entry of a change's timeline. `eventKey` makes writes idempotent: an activity retried
 * after a worker crash writes the same key and the second insert is a no-op.
 */
@Entity({ name: 'change_event' })
@Unique('uq_change_event_key', ['changeId', 'eventKey'])
@Index('ix_change_event_change_at', ['changeId', 'at'])
export class ChangeEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_change_event' })
  id: string;

  @Column({ name: 'change_id', type: 'varchar', length: 20 })
  changeId: string;

  @ManyToOne(() => ChangeRequestEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'change_id', foreignKeyConstraintName: 'fk_change_event_change' })
  change?: ChangeRequestEntity;

  @Column({ name: 'event_key', type: 'varchar', length: 100 })
  eventKey: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 50 })
  type: string;

  @Column({ type: 'varchar', length: 200 })
  actor: string;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;
}
