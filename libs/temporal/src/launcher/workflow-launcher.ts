import { Injectable } from '@nestjs/common';
import type { WorkflowDefinition, WorkflowSignature } from '@steward/contracts';
import { StewardError } from '@steward/domain';
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandle,
  type WorkflowHandleWithStartDetails,
} from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { TemporalSettings } from '../temporal-settings';

/** The workflow to start for a record: its business id, its input, what the UI shows. */
export interface WorkflowStart<Input> {
  workflowId: string;
  input: Input;
  memo?: Record<string, unknown>;
}

/** One launch: a record, the workflow that carries its process, and how to take the record back. */
export interface WorkflowLaunch<Input, Output, R> {
  /**
   * Writes the record, in a transaction of the caller's, before the workflow exists: the
   * workflow's first activity reads it.
   */
  record(): Promise<R>;
  /** The record's business id (`CHG-000123`), for the messages of a failed launch. */
  recordId(recorded: R): string;
  start(recorded: R): WorkflowStart<Input>;
  /**
   * Writes that need the running workflow (the change's run id). When they fail, the record is
   * undone as after a failed start; the workflow, finding no record, fails its first activity.
   */
  started?(recorded: R, handle: WorkflowHandleWithStartDetails<WorkflowSignature<Input, Output>>): Promise<void>;
  /** Takes back what `record` wrote when the workflow could not be started. */
  undo(recorded: R): Promise<void>;
  /**
   * True when `record` found the record of an earlier launch (a repeated request) instead of
   * writing one. Such a record is never undone, and its workflow found already started is the
   * idempotent case; a start that did not happen the first time happens now.
   */
  repeated?(recorded: R): boolean;
}

/**
 * The workflow of a record could not be started, or `started` failed (the record has been
 * undone unless it was a repeat): the engine was unreachable, did not answer within the
 * deadline, or refused.
 * `cause` is the client's error, for the caller to answer in its own terms (a 503 mostly).
 */
export class WorkflowStartError extends Error {
  constructor(
    readonly recordId: string,
    readonly workflowId: string,
    override readonly cause: unknown,
  ) {
    super(`the workflow ${workflowId} of ${recordId} was not started: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'WorkflowStartError';
  }
}

export interface LaunchedWorkflow<Input, Output, R> {
  recorded: R;
  workflowId: string;
  /** The run this launch started; absent when a repeated launch found the workflow already there. */
  handle?: WorkflowHandleWithStartDetails<WorkflowSignature<Input, Output>>;
}

/**
 * Starts the workflows that carry records (changes, incidents, problems), for the API and the
 * activities alike. A record never exists without its process: when the start fails, the record
 * is undone, so a failed request leaves nothing behind and can simply be sent again. Starts use
 * business ids with REJECT_DUPLICATE, so a workflow id that already exists for a new record
 * means the database and Temporal do not belong together (a conflict), never a second run.
 * Every call waits at most `TemporalSettings.startDeadlineMs` for the workflow engine.
 */
@Injectable()
export class WorkflowLauncher {
  constructor(
    private readonly client: Client,
    private readonly settings: TemporalSettings,
  ) {}

  /**
   * Records, starts and, on failure, undoes. What `record` throws comes through as it is; a
   * workflow id taken by another installation's workflow is a conflict (StewardError); any
   * other failure to start is a WorkflowStartError, thrown after the undo.
   */
  async launch<Input, Output, R>(workflow: WorkflowDefinition<Input, Output>, launch: WorkflowLaunch<NoInfer<Input>, NoInfer<Output>, R>): Promise<LaunchedWorkflow<Input, Output, R>> {
    const recorded = await launch.record();
    const start = launch.start(recorded);
    const repeated = launch.repeated?.(recorded) ?? false;
    try {
      const handle = await this.start(workflow, start);
      await launch.started?.(recorded, handle);
      return { recorded, workflowId: start.workflowId, handle };
    } catch (error) {
      const taken = error instanceof WorkflowExecutionAlreadyStartedError;
      if (taken && repeated) return { recorded, workflowId: start.workflowId };
      if (!repeated) await launch.undo(recorded);
      const recordId = launch.recordId(recorded);
      if (taken) {
        throw new StewardError(
          'conflict',
          `workflow ${start.workflowId} already exists on the Temporal server although ${recordId} is new: the database and Temporal belong to different installations`,
        );
      }
      throw new WorkflowStartError(recordId, start.workflowId, error);
    }
  }

  /** Starts a workflow by its definition: the input is checked against its signature. */
  start<Input, Output>(workflow: WorkflowDefinition<Input, Output>, start: WorkflowStart<NoInfer<Input>>): Promise<WorkflowHandleWithStartDetails<WorkflowSignature<Input, Output>>> {
    return this.withDeadline(() =>
      this.client.workflow.start<WorkflowSignature<Input, Output>>(workflow.name, {
        workflowId: start.workflowId,
        taskQueue: this.settings.taskQueue,
        args: [start.input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        ...(start.memo ? { memo: start.memo } : {}),
      }),
    );
  }

  /**
   * Hands a workflow one or more signals, starting it first when it is not running: for records
   * that many callers may add to (a problem gathering incidents). A workflow that has ended is
   * never started again; the answer is then `null`. Nothing is undone here: the record stays,
   * and a retry (activities are retried) delivers the signals.
   */
  async signalWithStart<Input, Output, S>(
    workflow: WorkflowDefinition<Input, Output>,
    start: WorkflowStart<NoInfer<Input>>,
    signal: SignalDefinition<[S]>,
    signals: [S, ...S[]],
  ): Promise<WorkflowHandle<WorkflowSignature<Input, Output>> | null> {
    const [first, ...rest] = signals;
    try {
      return await this.withDeadline(async () => {
        const handle = await this.client.workflow.signalWithStart<WorkflowSignature<Input, Output>, [S]>(workflow.name, {
          workflowId: start.workflowId,
          taskQueue: this.settings.taskQueue,
          args: [start.input],
          signal,
          signalArgs: [first],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          ...(start.memo ? { memo: start.memo } : {}),
        });
        for (const args of rest) await handle.signal(signal, args);
        return handle;
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
      throw error;
    }
  }

  private withDeadline<T>(call: () => Promise<T>): Promise<T> {
    return this.client.withDeadline(Date.now() + this.settings.startDeadlineMs, call);
  }
}
