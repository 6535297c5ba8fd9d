import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * Messages of the benchmark's baseline workflow. `define*` only build descriptors, so the
 * bench (Node) and the baseline workflow bundle both import this file.
 */
export type BaselineState = 'submitted' | 'assessing' | 'awaiting_approval' | 'scheduled';

export const baselineStateQuery = defineQuery<BaselineState>('baselineState');
export const baselineDecideUpdate = defineUpdate<BaselineState, [string]>('baselineDecide');
