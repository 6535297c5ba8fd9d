import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SignedDecision } from './approval.types';
import type {
  CancelChangeRequest,
  ChangeSnapshot,
  CompleteStepRequest,
  RescheduleRequest,
  ResolveHoldRequest,
  RevisePlanRequest,
} from './change.types';

/**
 * Messages of the change workflow, defined once and imported by the workflow, the API and the
 * tests. `define*` only build descriptors, so this file is safe for both the workflow bundle
 * and Node. Updates where the caller needs the verdict; signals where it does not.
 */
export const changeStateQuery = defineQuery<ChangeSnapshot>('changeState');

/** A CAB decision, signed by the API. Refused by the validator with the reason (403/409). */
export const decideUpdate = defineUpdate<ChangeSnapshot, [SignedDecision]>('decide');

/**
 * The same decision as a signal, for operators on the Temporal CLI. Checked identically; a
 * refusal is recorded on the change instead of answered.
 */
export const decideSignal = defineSignal<[SignedDecision]>('decide');

export const revisePlanUpdate = defineUpdate<ChangeSnapshot, [RevisePlanRequest]>('revisePlan');
export const completeStepUpdate = defineUpdate<ChangeSnapshot, [CompleteStepRequest]>('completeStep');
export const rescheduleUpdate = defineUpdate<ChangeSnapshot, [RescheduleRequest]>('reschedule');
export const resolveHoldUpdate = defineUpdate<ChangeSnapshot, [ResolveHoldRequest]>('resolveHold');
export const cancelChangeUpdate = defineUpdate<ChangeSnapshot, [CancelChangeRequest]>('cancelChange');

/** Maintenance windows or freezes changed: a waiting change looks for its interval again. */
export const calendarChangedSignal = defineSignal<[{ reason: string }]>('calendarChanged');
