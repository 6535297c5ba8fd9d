import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TargetCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A deployment target on a loopback port that answers 200 and remembers every call. The
 * security suite's proof that nothing executed is that this count did not move.
 */
export interface CountingTarget {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** `127.0.0.1:<port>`, for EXECUTOR_ALLOWED_TARGETS. */
  hostPort: string;
  calls: TargetCall[];
  /** Calls whose path starts with `prefix` (every call without one). */
  count(prefix?: string): number;
  close(): Promise<void>;
}

/**
 * `options.host`/`options.port` place it on a given loopback address and port (e.g. the port
 * another target took on 127.0.0.2, so that one URL can reach either, by address).
 */
export async function startCountingTarget(options: { host?: string; port?: number } = {}): Promise<CountingTarget> {
  const calls: TargetCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://${host}:${port}`,
    hostPort: `${host}:${port}`,
    calls,
    count: (prefix) => calls.filter((c) => prefix === undefined || c.path.startsWith(prefix)).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
