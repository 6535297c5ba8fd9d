import { type DynamicModule, Module } from '@nestjs/common';
import type { IncidentProcessSettings } from '@steward/domain';
import {
  type StewardConfig,
  DEFAULT_INCIDENT_PROCESS,
  DEFAULT_PROBLEM_PROCESS,
  type NotificationSettings,
  type ProblemProcessConfig,
} from './steward-config';

/**
 * The incident process timings, injectable by type (API and worker both open incidents). No
 * field of its own: its shape is IncidentProcessSettings (libs/domain), what the workflow gets.
 */
export interface IncidentProcessOptions extends IncidentProcessSettings {}
export class IncidentProcessOptions {}

/** The problem process thresholds, injectable by type; its shape is ProblemProcessConfig. */
export interface ProblemProcessOptions extends ProblemProcessConfig {}
export class ProblemProcessOptions {}

/** Where notifications go besides the in-app list, injectable by type. */
export class NotificationOptions implements NotificationSettings {
  webhookUrl?: string;
  dispatchPollMs?: number;
  deliveryTimeoutMs?: number;
}

export interface ProcessOptionsInput {
  incidentProcess?: Partial<IncidentProcessSettings>;
  problemProcess?: Partial<ProblemProcessConfig>;
  notifications?: NotificationSettings;
}

/** Process settings for every module of the app, from the validated configuration. */
@Module({})
export class ProcessOptionsModule {
  static forRoot(input: ProcessOptionsInput = {}): DynamicModule {
    const providers = [
      { provide: IncidentProcessOptions, useValue: Object.assign(new IncidentProcessOptions(), DEFAULT_INCIDENT_PROCESS, input.incidentProcess ?? {}) },
      { provide: ProblemProcessOptions, useValue: Object.assign(new ProblemProcessOptions(), DEFAULT_PROBLEM_PROCESS, input.problemProcess ?? {}) },
      { provide: NotificationOptions, useValue: Object.assign(new NotificationOptions(), input.notifications ?? {}) },
    ];
    return { module: ProcessOptionsModule, global: true, providers, exports: providers.map((p) => p.provide) };
  }
}

/** The process settings of a loaded configuration, as the API and worker modules take them. */
export function processesOf(config: StewardConfig): ProcessOptionsInput {
  return { incidentProcess: config.incidentProcess, problemProcess: config.problemProcess, notifications: config.notifications };
}
