import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CancelChangeRequest, ChangeSnapshot } from './change.types';

/**
 * Messages of the change workflow, defined once and imported by the workflow, the API and the
 * tests. `defineQuery`/`defineUpdate` only build descriptors, so this file is safe for both the
 * workflow bundle and Node.
 */
export const changeStateQuery = defineQuery<ChangeSnapshot>('changeState');

/** An update, not a signal: the requester is told at once whether the cancel was accepted. */
export const cancelChangeUpdate = defineUpdate<ChangeSnapshot, [CancelChangeRequest]>('cancelChange');
