import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { temporalConnectionOptions, type TemporalTlsSettings } from './connection-options';
import { stewardDataConverter } from './data-converter';
import { WorkflowLauncher } from './launcher/workflow-launcher';
import { TemporalSettings } from './temporal-settings';

export { TemporalSettings, WORKFLOW_START_DEADLINE_MS } from './temporal-settings';

export interface TemporalClientOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  /** TLS, mTLS or an API key for a secured cluster (TEMPORAL_TLS_*, TEMPORAL_API_KEY). */
  connection?: TemporalTlsSettings;
  /** Encrypts every payload this client sends and decrypts what it reads. */
  payloadCodec?: PayloadCodec;
}

@Injectable()
class TemporalConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(Connection) private readonly connection: Connection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

/** One gRPC connection, one Temporal client and its workflow launcher per process, closed on shutdown. */
@Module({})
export class TemporalClientModule {
  static forRoot(options: TemporalClientOptions): DynamicModule {
    return {
      module: TemporalClientModule,
      global: true,
      providers: [
        { provide: TemporalSettings, useValue: new TemporalSettings(options.address, options.namespace, options.taskQueue) },
        { provide: Connection, useFactory: () => Connection.connect({ ...temporalConnectionOptions(options.address, options.connection), connectTimeout: '10s' }) },
        {
          provide: Client,
          inject: [Connection],
          useFactory: (connection: Connection) => new Client({ connection, namespace: options.namespace, dataConverter: stewardDataConverter(options.payloadCodec) }),
        },
        TemporalConnectionCloser,
        WorkflowLauncher,
      ],
      exports: [TemporalSettings, Connection, Client, WorkflowLauncher],
    };
  }
}
