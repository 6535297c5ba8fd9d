import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '@steward/config';
import { temporalConnectionOptions, type TemporalTlsSettings } from '@steward/temporal';
import { Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as http2Connect, constants as h2, createSecureServer, type ClientHttp2Session, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { createTestDatabase, eventually, startWorker, temporalClient, uniqueTaskQueue, type TestDatabase } from '../support/harness';
import { testEnv } from '../support/test-env';

/*
 * The dev server has no TLS options (`temporal server start-dev --help` lists none), so a
 * secured cluster is stood in for by a TLS-terminating proxy on loopback in front of it: the
 * client and worker make a real TLS 1.3 handshake with it, present their certificate, check the
 * server's against our CA and server name, and speak gRPC through it to the real server.
 */
const SERVER_NAME = 'temporal.steward.test';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, a server certificate for SERVER_NAME, and a client certificate it signed. */
function makeAuthority(dir: string, name: string): { ca: string; caKey: string } {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', `${name}.key`, '-out', `${name}.pem`]);
  return { ca: join(dir, `${name}.pem`), caKey: join(dir, `${name}.key`) };
}

function issue(dir: string, authority: string, name: string, cn: string, extensions: string): { cert: string; key: string } {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${authority}.pem`, '-CAkey', `${authority}.key`, '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

describe('connecting to a secured Temporal cluster (TLS, mTLS, API key)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-tls-'));
  const [upstreamHost, upstreamPort] = (() => {
    const address = testEnv('temporalAddress');
    const colon = address.lastIndexOf(':');
    return [address.slice(0, colon), Number(address.slice(colon + 1))];
  })();
  let ca: string;
  let server: { cert: string; key: string };
  let client: { cert: string; key: string };
  let rogue: { cert: string; key: string };
  let proxy: TlsServer;
  let proxyAddress: string;
  /** The CN of each client certificate the proxy accepted. */
  const accepted: string[] = [];

  beforeAll(async () => {
    ca = makeAuthority(dir, 'steward-ca').ca;
    makeAuthority(dir, 'rogue-ca');
    server = issue(dir, 'steward-ca', 'server', SERVER_NAME, `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n`);
    client = issue(dir, 'steward-ca', 'client', 'steward-worker', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
    rogue = issue(dir, 'rogue-ca', 'rogue', 'steward-worker', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');

    // mTLS: only clients with a certificate of our CA get through to the server.
    proxy = createTlsServer(
      { key: readFileSync(server.key), cert: readFileSync(server.cert), ca: readFileSync(ca), requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'], minVersion: 'TLSv1.2' },
      (socket: TLSSocket) => {
        accepted.push(String(socket.getPeerCertificate().subject?.CN));
        const upstream = netConnect(upstreamPort, upstreamHost);
        socket.pipe(upstream).pipe(socket);
        const end = () => {
          socket.destroy();
          upstream.destroy();
        };
        socket.on('error', end);
        upstream.on('error', end);
      },
    );
    proxy.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyAddress = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  });

  const settingsFromEnvironment = (env: NodeJS.ProcessEnv): TemporalTlsSettings => loadConfig(env).temporal.connection!;

  it('the TS client connects over mTLS with the settings start-up validated from TEMPORAL_TLS_*', async () => {
    const settings = settingsFromEnvironment({ TEMPORAL_TLS_CERT: client.cert, TEMPORAL_TLS_KEY: client.key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
    const before = accepted.length;
    const connection = await Connection.connect({ ...temporalConnectionOptions(proxyAddress, settings), connectTimeout: '10s' });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toMatch(/^\d+\.\d+/);
      expect(accepted.slice(before)).toContain('steward-worker');
    } finally {
      await connection.close();
    }
  });

  it('the real worker (NativeConnection) and its client poll and run over mTLS', async () => {
    const settings = settingsFromEnvironment({ TEMPORAL_TLS_CERT: client.cert, TEMPORAL_TLS_KEY: client.key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
    let database: TestDatabase | undefined;
    let worker: INestApplicationContext | undefined;
    const temporal = await temporalClient();
    const taskQueue = uniqueTaskQueue('temporal-mtls');
    try {
      database = await createTestDatabase('temporal_mtls');
      const before = accepted.length;
      worker = await startWorker(database.url, taskQueue, { temporalAddress: proxyAddress, temporalConnection: settings });
      // Seen from the server directly: a poller on the worker's task queue, which reached it only through the proxy.
      await eventually(
        async () => (await temporal.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 })).pollers?.length ?? 0,
        (n) => n > 0,
        30_000,
      );
      // Two handshakes at least: the NativeConnection of the worker and the Connection of its client module.
      expect(accepted.slice(before).filter((cn) => cn === 'steward-worker').length).toBeGreaterThanOrEqual(2);
    } finally {
      await worker?.close();
      await temporal.close();
      await database?.drop();
    }
  });

  it('is refused without a client certificate, with one of another CA, and when the server name does not match', async () => {
    const attempt = async (settings: TemporalTlsSettings) => {
      try {
        const connection = await Connection.connect({ ...temporalConnectionOptions(proxyAddress, settings), connectTimeout: '3s' });
        await connection.close();
        return 'connected';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(await attempt({ caPath: ca, serverName: SERVER_NAME })).not.toBe('connected');
    expect(await attempt({ certPath: rogue.cert, keyPath: rogue.key, caPath: ca, serverName: SERVER_NAME })).not.toBe('connected');
    expect(await attempt({ certPath: client.cert, keyPath: client.key, caPath: ca, serverName: 'someone-else.test' })).not.toBe('connected');
    // Without our CA the server's certificate is not trusted either.
    expect(await attempt({ certPath: client.cert, keyPath: client.key, serverName: SERVER_NAME })).not.toBe('connected');
  });

  describe('TEMPORAL_API_KEY (Temporal Cloud)', () => {
    let gateway: Http2SecureServer;
    let upstream: ClientHttp2Session;
    let gatewayAddress: string;
    const authorizations: string[] = [];
    const sessions = new Set<ServerHttp2Session>();

    // An HTTP/2 TLS gateway, as Temporal Cloud's front door is: it sees each call's headers.
    beforeAll(async () => {
      upstream = http2Connect(`http://${testEnv('temporalAddress')}`);
      upstream.on('error', () => undefined);
      gateway = createSecureServer({ key: readFileSync(server.key), cert: readFileSync(server.cert) });
      gateway.on('sessionError', () => undefined);
      gateway.on('session', (session) => {
        sessions.add(session);
        session.on('close', () => sessions.delete(session));
      });
      gateway.on('stream', (stream, headers) => {
        authorizations.push(String(headers.authorization ?? ''));
        if (headers.authorization !== 'Bearer steward-cloud-api-key-0123') {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'bad api key' }, { endStream: true });
          return;
        }
        const forwarded: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(headers)) if (value !== undefined && !name.startsWith(':') && name !== 'authorization') forwarded[name] = value as string | string[];
        const out = upstream.request({ ...forwarded, ':method': 'POST', ':path': headers[':path'] as string });
        stream.pipe(out);
        // The caller may be gone by the time the server answers (a worker shutting down ends its long polls).
        const alive = () => !stream.destroyed && !stream.closed;
        out.on('response', (response) => {
          if (!alive()) {
            out.close();
            return;
          }
          const { [h2.HTTP2_HEADER_STATUS]: status, ...rest } = response;
          stream.respond({ ':status': Number(status), ...rest }, { waitForTrailers: true });
          out.pipe(stream);
        });
        let trailers: Record<string, string> = {};
        out.on('trailers', (t) => {
          trailers = Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith(':'))) as Record<string, string>;
        });
        stream.on('wantTrailers', () => {
          if (alive()) stream.sendTrailers(trailers);
        });
        stream.on('close', () => {
          if (!out.closed) out.close();
        });
        out.on('error', () => stream.destroy());
        stream.on('error', () => out.destroy());
      });
      await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
      gatewayAddress = `127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      for (const session of sessions) session.destroy();
      upstream?.destroy();
      await new Promise<void>((resolve) => gateway?.close(() => resolve()));
    });

    it('is sent as a bearer token over TLS on every call, and a wrong one is refused', async () => {
      const settings = settingsFromEnvironment({ TEMPORAL_API_KEY: 'steward-cloud-api-key-0123', TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
      const connection = await Connection.connect({ ...temporalConnectionOptions(gatewayAddress, settings), connectTimeout: '10s' });
      try {
        const info = await connection.workflowService.getSystemInfo({});
        expect(info.serverVersion).toMatch(/^\d+\.\d+/);
        expect(authorizations.length).toBeGreaterThan(0);
        expect(new Set(authorizations)).toEqual(new Set(['Bearer steward-cloud-api-key-0123']));
      } finally {
        await connection.close();
      }
      const wrong = settingsFromEnvironment({ TEMPORAL_API_KEY: 'someone-elses-key-000', TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
      await expect(
        (async () => {
          const c = await Connection.connect({ ...temporalConnectionOptions(gatewayAddress, wrong), connectTimeout: '3s' });
          try {
            await c.workflowService.getSystemInfo({});
          } finally {
            await c.close();
          }
        })(),
      ).rejects.toThrow();
      // It reached the gateway with the wrong key, and was refused for that.
      expect(authorizations).toContain('Bearer someone-elses-key-000');
    });

    it('the real worker polls through the gateway with it', async () => {
      const settings = settingsFromEnvironment({ TEMPORAL_API_KEY: 'steward-cloud-api-key-0123', TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
      const database = await createTestDatabase('temporal_api_key');
      const temporal = await temporalClient();
      const taskQueue = uniqueTaskQueue('temporal-api-key');
      let worker: INestApplicationContext | undefined;
      try {
        authorizations.length = 0;
        worker = await startWorker(database.url, taskQueue, { temporalAddress: gatewayAddress, temporalConnection: settings });
        await eventually(
          async () => (await temporal.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 })).pollers?.length ?? 0,
          (n) => n > 0,
          30_000,
        );
        expect(new Set(authorizations)).toEqual(new Set(['Bearer steward-cloud-api-key-0123']));
      } finally {
        await worker?.close();
        await temporal.close();
        await database.drop();
      }
    });
  });
});
