import { Injectable } from '@nestjs/common';
import { IncidentProcessOptions } from '@steward/config';
import { incidentNoteSignal } from '@steward/contracts';
import { StewardError } from '@steward/domain';
import { IncidentEntity, IncidentOpeningService, type OpenIncidentRequest, type PreparedIncident } from '@steward/persistence';
import { TemporalSettings } from '@steward/temporal';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface OpenedIncident {
  id: string;
  priority: string;
  major: boolean;
  workflowId: string;
  /** False when the request repeated an open incident's source (same alert fingerprint). */
  created: boolean;
}

/**
 * Opens incidents for every source (the API, Alertmanager, failed changes, unauthorized-change
 * findings): records the incident, then starts its workflow under the deterministic id
 * `incident-INC-…`. The start is idempotent, so a repeat also heals an incident whose workflow
 * never started; an incident never gets a second workflow run.
 */
@Injectable()
export class IncidentLauncher {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly opening: IncidentOpeningService,
    private readonly temporal: Client,
    private readonly settings: TemporalSettings,
    private readonly process: IncidentProcessOptions,
  ) {}

  async open(request: OpenIncidentRequest): Promise<OpenedIncident> {
    const prepared = await this.opening.prepare(request, this.process);
    const { incident } = prepared;
    try {
      await this.temporal.withDeadline(Date.now() + 10_000, () => this.temporal.workflow.start('incidentWorkflow', {
        workflowId: incident.workflowId,
        taskQueue: this.settings.taskQueue,
        args: [prepared.input],
        memo: { title: incident.title, service: incident.serviceKey },
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      }));
    } catch (error) {
      // A repeat finds its workflow already there: that is the idempotent case.
      if (error instanceof WorkflowExecutionAlreadyStartedError && !prepared.created) return this.opened(prepared);
      // Nothing but the row exists yet (the workflow records `opened`): remove it, so an
      // incident never exists without its process.
      if (prepared.created) await this.db.getRepository(IncidentEntity).delete({ id: incident.id });
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new StewardError(
          'conflict',
          `workflow ${incident.workflowId} already exists on the Temporal server although ${incident.id} is new: the database and Temporal belong to different installations`,
        );
      }
      throw new StewardError('unavailable', `the workflow engine did not start incident ${incident.id}: ${(error as Error).message}`);
    }
    return this.opened(prepared);
  }

  private opened({ incident, created }: PreparedIncident): OpenedIncident {
    return { id: incident.id, priority: incident.priority, major: incident.major, workflowId: incident.workflowId, created };
  }

  /** A note on an incident's timeline, delivered even while no worker runs (a signal). */
  async note(incidentId: string, note: { key: string; by: string; note: string; data?: Record<string, unknown> }): Promise<void> {
    await this.temporal.workflow.getHandle(`incident-${incidentId}`).signal(incidentNoteSignal, note);
  }
}
