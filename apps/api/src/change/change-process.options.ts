import { DEFAULT_CHANGE_PROCESS } from '@steward/config';
import type { ChangeProcessSettings } from '@steward/domain';

/**
 * The change process settings every new change workflow starts with, as a class so Nest injects
 * them by type. It declares no field of its own: its shape is ChangeProcessSettings (libs/domain),
 * the one type configuration parses into and the workflow is started with.
 */
export interface ChangeProcessOptions extends Readonly<ChangeProcessSettings> {}
export class ChangeProcessOptions {
  constructor(settings: ChangeProcessSettings = DEFAULT_CHANGE_PROCESS) {
    Object.assign(this, settings);
  }
}
