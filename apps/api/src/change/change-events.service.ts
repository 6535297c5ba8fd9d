import { Injectable, type MessageEvent } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isFinalChangeState } from '@steward/domain';
import { ChangeEventEntity, ChangeRequestEntity } from '@steward/persistence';
import { Observable } from 'rxjs';
import { DataSource, MoreThan } from 'typeorm';

const POLL_MS = 500;

/**
 * The live view of a change as Server-Sent Events: every timeline entry, oldest first, then
 * new ones as activities record them. It reads the database, not the workflow, so any API
 * instance can serve it; the stream ends shortly after the change reaches a final state.
 */
@Injectable()
export class ChangeEventsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  stream(changeId: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let lastId = '0';
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const tick = async () => {
        try {
          const change = await this.db.getRepository(ChangeRequestEntity).findOne({ select: { id: true, state: true }, where: { id: changeId } });
          if (!change) {
            subscriber.next({ type: 'error', data: { message: `change ${changeId} not found` } });
            subscriber.complete();
            return;
          }
          const events = await this.db.getRepository(ChangeEventEntity).find({ where: { changeId, id: MoreThan(lastId) }, order: { id: 'ASC' }, take: 500 });
          for (const event of events) {
            lastId = event.id;
            subscriber.next({ id: event.id, type: event.type, data: { at: event.at.toISOString(), type: event.type, actor: event.actor, data: event.data, state: change.state } });
          }
          if (isFinalChangeState(change.state) && events.length === 0) {
            subscriber.next({ type: 'end', data: { state: change.state } });
            subscriber.complete();
            return;
          }
        } catch (error) {
          subscriber.error(error);
          return;
        }
        if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
      };
      void tick();
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    });
  }
}
