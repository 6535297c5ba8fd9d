import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ImplementationPlan } from '@steward/contracts';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiModuleOptions } from '../../../apps/api/src/app.module';
import { createApi } from '../../../apps/api/src/create-api';
import { TEST_ABUSE_SETTINGS, TEST_CHANGE_PROCESS, TEST_JWT_SECRET, TEST_DECISION_SIGNING_KEY, TEST_PAYLOAD_CODEC_KEYS, temporalSettings } from '../../support/harness';
import type { CountingTarget } from './counting-target';

/** The real API, as startApi builds it, with some settings of the test's own (low limits, CORS, keys). */
export async function startApiWith(databaseUrl: string, taskQueue: string, extra: Partial<ApiModuleOptions> = {}): Promise<NestExpressApplication> {
  const app = await createApi(
    {
      databaseUrl,
      temporal: temporalSettings(taskQueue),
      auth: { jwtSecret: TEST_JWT_SECRET },
      logLevel: 'silent',
      decisionSigningKey: TEST_DECISION_SIGNING_KEY,
      payloadCodecKeys: TEST_PAYLOAD_CODEC_KEYS,
      changeProcess: TEST_CHANGE_PROCESS,
      ...extra,
      abuse: { ...TEST_ABUSE_SETTINGS, ...extra.abuse },
    },
    { shutdownHooks: false },
  );
  await app.listen(0, '127.0.0.1');
  return app;
}

export function baseUrl(app: NestExpressApplication): string {
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return `http://127.0.0.1:${port}`;
}

/** A plan whose one automated step would call the counting target: what must never run unauthorized. */
export function targetPlan(target: CountingTarget): ImplementationPlan {
  return {
    steps: [
      {
        id: 'deploy',
        name: 'Deploy through the counting target',
        kind: 'automated',
        action: { executor: 'http', url: `${target.base}/deploy`, method: 'POST' },
        rollback: { executor: 'http', url: `${target.base}/rollback`, method: 'POST' },
        estimatedMinutes: 5,
      },
    ],
  } as ImplementationPlan;
}

export interface OpenStream {
  status: number;
  headers: IncomingMessage['headers'];
  /** The body so far (the whole JSON body for a refusal). */
  body(): string;
  /** Resolves when the body so far matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** A real HTTP request held open, as a browser's EventSource holds a Server-Sent Events stream. */
export function openStream(url: string, token: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    let body = '';
    let req: ClientRequest | undefined = undefined;
    req = httpRequest(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: () => body,
        async waitFor(pattern, timeoutMs = 15_000) {
          const deadline = Date.now() + timeoutMs;
          while (!pattern.test(body)) {
            if (Date.now() > deadline) throw new Error(`stream never matched ${pattern}; got: ${body.slice(0, 500)}`);
            await new Promise((r) => setTimeout(r, 25));
          }
        },
        close: () => req?.destroy(),
      });
    });
    req.on('error', (error) => {
      if (!(error as NodeJS.ErrnoException).code?.includes('ECONNRESET')) reject(error);
    });
    req.end();
  });
}
