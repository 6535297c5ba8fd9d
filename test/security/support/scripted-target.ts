import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP target on a loopback address that answers as the test scripts it (a redirect, a
 * huge or slow body, a hostile status line), and records what reached it.
 */
export interface ScriptedTarget {
  base: string;
  host: string;
  port: number;
  paths: string[];
  /** Responses the client closed before the target finished writing them. */
  abandoned: string[];
  close(): Promise<void>;
}

export async function startScriptedTarget(host: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<ScriptedTarget> {
  const paths: string[] = [];
  const abandoned: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '/');
    res.on('close', () => {
      if (!res.writableFinished) abandoned.push(req.url ?? '/');
    });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://${host}:${port}`,
    host,
    port,
    paths,
    abandoned,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
