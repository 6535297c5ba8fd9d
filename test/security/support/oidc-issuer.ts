import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface OidcTestClient {
  id: string;
  secret: string;
  /** Extra claims on every access token of this client (roles, groups, name...). */
  claims: Record<string, unknown>;
  /** Access token lifetime in seconds (default 600). */
  ttl?: number;
}

/** A real OIDC provider on 127.0.0.1 (see oidc-issuer-process.mjs), controlled from the test. */
export interface OidcTestIssuer {
  issuer: string;
  kid: string;
  /** An access token from the client-credentials grant, for `resource` (default: the audience). */
  token(clientId: string, resource?: string): Promise<string>;
  /** Replaces the provider's signing key; answers the new kid. */
  rotate(): Promise<string>;
  close(): Promise<void>;
}

function nextMessage<T extends { type: string }>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (message?.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`the OIDC test issuer exited (${code}) before ${type}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startOidcIssuer(options: { audience: string; clients: OidcTestClient[] }): Promise<OidcTestIssuer> {
  const child = fork(join(__dirname, 'oidc-issuer-process.mjs'), [], {
    env: { ...process.env, OIDC_TEST_CONFIG: JSON.stringify(options), DEBUG: '' },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    execArgv: [],
  });
  const ready = await nextMessage<{ type: string; issuer: string; kid: string }>(child, 'ready');
  const secrets = new Map(options.clients.map((c) => [c.id, c.secret]));
  const state = { kid: ready.kid };
  return {
    issuer: ready.issuer,
    get kid() {
      return state.kid;
    },
    async token(clientId, resource = options.audience) {
      const response = await fetch(`${ready.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secrets.get(clientId) ?? '', resource, scope: 'api' }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!response.ok || !body.access_token) throw new Error(`token request failed: ${response.status} ${body.error} ${body.error_description}`);
      return body.access_token;
    },
    async rotate() {
      const rotated = nextMessage<{ type: string; kid: string }>(child, 'rotated');
      child.send({ type: 'rotate' });
      state.kid = (await rotated).kid;
      return state.kid;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
