import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChangeEventEntity } from './change-event.entity';
import { ChangeRequestEntity } from './change-request.entity';

/** The change read model as the API reads it: the row and its timeline (the workflow's activities write both). */
@Injectable()
export class ChangeReadModel {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findChange(changeId: string): Promise<ChangeRequestEntity | null> {
    return this.db.getRepository(ChangeRequestEntity).findOne({ where: { id: changeId } });
  }

  async timeline(changeId: string): Promise<ChangeEventEntity[]> {
    return this.db.getRepository(ChangeEventEntity).find({ where: { changeId }, order: { at: 'ASC', id: 'ASC' } });
  }
}
