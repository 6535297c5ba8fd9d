import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { collectActivities, DomainErrorInterceptor } from '@steward/activities';
import { prebuiltWorkflowBundlePath, stewardDataConverter, temporalConnectionOptions, workflowBundleOptions, type TemporalTlsSettings } from '@steward/temporal';
import { StewardLogger } from '@steward/observability';
import type { PayloadCodec } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkerOptions } from '@temporalio/worker';

export class WorkerSettings {
  constructor(
    readonly address: string,
    readonly namespace: string,
    readonly taskQueue: string,
    /** A bundle built ahead of time (production, tests); unset: bundle from source at start. */
    readonly workflowBundlePath?: string,
    /** TLS, mTLS or an API key for a secured cluster. */
    readonly connection?: TemporalTlsSettings,
    /** Decrypts what the worker reads from Temporal, encrypts what it writes. */
    readonly payloadCodec?: PayloadCodec,
  ) {}
}

/**
 * The Temporal worker inside the Nest lifecycle: created on init (so a bad bundle or an
 * unreachable server stops start-up), run on bootstrap, drained on shutdown so that running
 * activities finish before the process exits.
 */
@Injectable()
export class StewardWorkerService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StewardWorkerService.name);
  private connection?: NativeConnection;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    private readonly settings: WorkerSettings,
    private readonly moduleRef: ModuleRef,
    private readonly log: StewardLogger,
  ) {}

  /** The SDK's own lines (worker state, activity failures) go to this process's log, labelled. */
  private installRuntimeLogger(): void {
    const temporal = this.log.pino.child({ context: 'temporal' });
    const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
    try {
      Runtime.install({ logger: new DefaultLogger('INFO', (entry) => temporal[levels[entry.level]](entry.meta ?? {}, entry.message)) });
    } catch {
      // A runtime exists already (tests install a quiet one; a second worker in one process).
    }
  }

  async onModuleInit(): Promise<void> {
    this.installRuntimeLogger();
    this.connection = await NativeConnection.connect(temporalConnectionOptions(this.settings.address, this.settings.connection));
    const bundlePath = this.settings.workflowBundlePath ?? prebuiltWorkflowBundlePath();
    const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> = bundlePath
      ? { workflowBundle: { codePath: bundlePath } }
      : (() => {
          const { workflowsPath, webpackConfigHook } = workflowBundleOptions();
          return { workflowsPath, bundlerOptions: { webpackConfigHook } };
        })();
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: this.settings.namespace,
      taskQueue: this.settings.taskQueue,
      ...workflowSource,
      dataConverter: stewardDataConverter(this.settings.payloadCodec),
      activities: collectActivities(this.moduleRef),
      interceptors: { activity: [() => ({ inbound: new DomainErrorInterceptor() })] },
      shutdownGraceTime: '20 seconds',
    });
  }

  onApplicationBootstrap(): void {
    const worker = this.worker!;
    this.running = worker.run().catch((error: unknown) => {
      this.logger.error({ err: error }, 'the Temporal worker stopped with an error');
      throw error;
    });
    this.logger.log(`worker polling task queue ${this.settings.taskQueue} in namespace ${this.settings.namespace}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running?.catch(() => undefined);
    await this.connection?.close();
  }
}
