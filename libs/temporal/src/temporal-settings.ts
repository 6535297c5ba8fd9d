/** How long a start (or signal-with-start) waits for the workflow engine; the API answers 503 after it. */
export const WORKFLOW_START_DEADLINE_MS = 10_000;

/** The task queue and namespace this process talks to, injectable by type. */
export class TemporalSettings {
  constructor(
    readonly address: string,
    readonly namespace: string,
    readonly taskQueue: string,
    readonly startDeadlineMs: number = WORKFLOW_START_DEADLINE_MS,
  ) {}
}
