import { Injectable } from '@nestjs/common';
import type { ChangeTransition } from '@steward/contracts';
import { ChangeReadModel } from '@steward/persistence';

/** Activities of the change workflow: thin, all I/O, idempotent under retries. */
@Injectable()
export class ChangeActivities {
  constructor(private readonly readModel: ChangeReadModel) {}

  /** Applies one transition of the workflow to the change record and its timeline. */
  async recordChangeTransition(input: { changeId: string; sequence: number; transition: ChangeTransition }): Promise<void> {
    await this.readModel.recordTransition(input.changeId, input.sequence, input.transition);
  }
}
