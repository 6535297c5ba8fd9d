import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL for `npm start` with nothing installed: PGlite (PostgreSQL compiled to WASM) with
 * its data in a folder, served over the wire protocol on loopback so that TypeORM and `pg`
 * reach it exactly as they reach a real server. Transactions of different connections run one
 * at a time, which is fine for one user trying Steward, and never what benchmarks or tests use.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number }): Promise<EmbeddedPostgres> {
  mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port, maxConnections: 32 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
