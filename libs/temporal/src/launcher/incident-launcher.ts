import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IncidentProcessOptions } from '@steward/config';
import { incidentNoteSignal, incidentWorkflowDefinition, incidentWorkflowId } from '@steward/contracts';
import { StewardError } from '@steward/domain';
import { IncidentEntity, IncidentOpeningService, type OpenIncidentRequest, type PreparedIncident } from '@steward/persistence';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { WorkflowLauncher, WorkflowStartError } from './workflow-launcher';

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
 * findings), in the API and in activities alike: records the incident, then starts its workflow
 * under the deterministic id `incident-INC-…`. The start is idempotent, so a repeat also heals
 * an incident whose workflow never started; an incident never gets a second workflow run.
 */
@Injectable()
export class IncidentLauncher {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly opening: IncidentOpeningService,
    private readonly launcher: WorkflowLauncher,
    private readonly temporal: Client,
    private readonly process: IncidentProcessOptions,
  ) {}

  async open(request: OpenIncidentRequest): Promise<OpenedIncident> {
    let launched: { recorded: PreparedIncident };
    try {
      launched = await this.launcher.launch(incidentWorkflowDefinition, {
        record: () => this.opening.prepare(request, this.process),
        recordId: ({ incident }) => incident.id,
        start: ({ incident, input }) => ({ workflowId: incident.workflowId, input, memo: { title: incident.title, service: incident.serviceKey } }),
        repeated: ({ created }) => !created,
        // Nothing but the row exists yet (the workflow records `opened`).
        undo: async ({ incident }) => void (await this.db.getRepository(IncidentEntity).delete({ id: incident.id })),
      });
    } catch (error) {
      if (!(error instanceof WorkflowStartError)) throw error;
      throw new StewardError('unavailable', `the workflow engine did not start incident ${error.recordId}: ${(error.cause as Error)?.message}`);
    }
    const { incident, created } = launched.recorded;
    return { id: incident.id, priority: incident.priority, major: incident.major, workflowId: incident.workflowId, created };
  }

  /** A note on an incident's timeline, delivered even while no worker runs (a signal). */
  async note(incidentId: string, note: { key: string; by: string; note: string; data?: Record<string, unknown> }): Promise<void> {
    await this.temporal.workflow.getHandle(incidentWorkflowId(incidentId)).signal(incidentNoteSignal, note);
  }
}
