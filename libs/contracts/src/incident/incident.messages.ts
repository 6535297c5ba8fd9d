import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, IncidentClassification } from '@steward/domain';
import type { IncidentSlaTerms, IncidentSnapshot, PostIncidentReview } from './incident.types';

/**
 * Messages of the incident workflow, defined once for the workflow, the API and the tests.
 * Updates where the caller needs the verdict (every action of a person); a signal for notes
 * from alert intake, which must land even while no worker is up.
 */
export const incidentStateQuery = defineQuery<IncidentSnapshot>('incidentState');

export interface IncidentAction {
  by: Actor;
}

export const acknowledgeIncidentUpdate = defineUpdate<IncidentSnapshot, [IncidentAction]>('acknowledgeIncident');
export const assignIncidentUpdate = defineUpdate<IncidentSnapshot, [IncidentAction & { commander?: string; resolvers?: string[] }]>('assignIncident');
export const postStakeholderUpdateUpdate = defineUpdate<IncidentSnapshot, [IncidentAction & { message: string }]>('postStakeholderUpdate');
export const pendIncidentUpdate = defineUpdate<IncidentSnapshot, [IncidentAction & { reason: string }]>('pendIncident');
export const resumeIncidentUpdate = defineUpdate<IncidentSnapshot, [IncidentAction]>('resumeIncident');
export const resolveIncidentUpdate = defineUpdate<IncidentSnapshot, [IncidentAction & { resolution: string }]>('resolveIncident');
export const reviewIncidentUpdate = defineUpdate<IncidentSnapshot, [IncidentAction & { review: PostIncidentReview }]>('reviewIncident');
export const closeIncidentUpdate = defineUpdate<IncidentSnapshot, [IncidentAction]>('closeIncident');
/** The API classifies again (matrix, CMDB rules) and looks up the SLA; the workflow re-targets its clocks. */
export const reclassifyIncidentUpdate = defineUpdate<
  IncidentSnapshot,
  [IncidentAction & { classification: IncidentClassification; sla: IncidentSlaTerms; reason: string }]
>('reclassifyIncident');
export const proposeHandoverUpdate = defineUpdate<IncidentSnapshot, [IncidentAction & { to: string }]>('proposeHandover');
export const acceptHandoverUpdate = defineUpdate<IncidentSnapshot, [IncidentAction]>('acceptHandover');

/** A note from outside (a repeated or resolved alert); recorded on the timeline. */
export const incidentNoteSignal = defineSignal<[{ key: string; by: string; note: string; data?: Record<string, unknown> }]>('incidentNote');
