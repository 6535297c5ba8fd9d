// A real OpenID Connect provider (the `oidc-provider` package) on 127.0.0.1, run as a child
// process because the package is ES-module only and Jest's CommonJS runtime cannot load it.
// It issues RS256 JWT access tokens through the client-credentials grant with resource
// indicators; `extraTokenClaims` adds each client's claims (roles at a nested path, groups).
//
// Parent -> child messages: { type: 'rotate' } replaces the signing key (new kid) and answers
// { type: 'rotated', kid }. On start the child answers { type: 'ready', issuer, kid }.
// Configuration comes as JSON in OIDC_TEST_CONFIG: { audience, clients: [{ id, secret, claims, ttl? }] }.
import Provider from 'oidc-provider';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const clientsById = new Map(config.clients.map((c) => [c.id, c]));

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

let key = newKey();
let provider;

function build(issuer) {
  const p = new Provider(issuer, {
    clients: config.clients.map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    jwks: { keys: [key] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => config.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => ({
          scope: 'api',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: clientsById.get(client.clientId)?.ttl ?? 600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: { ClientCredentials: (_ctx, _token, client) => clientsById.get(client.clientId)?.ttl ?? 600 },
    extraTokenClaims: (ctx) => clientsById.get(ctx.oidc.client?.clientId)?.claims ?? {},
  });
  p.proxy = false;
  return p;
}

const server = createServer((req, res) => provider.callback()(req, res));
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = build(issuer);
  process.on('message', (message) => {
    if (message?.type === 'rotate') {
      key = newKey();
      provider = build(issuer);
      process.send({ type: 'rotated', kid: key.kid });
    }
  });
  process.send({ type: 'ready', issuer, kid: key.kid });
});
process.on('disconnect', () => process.exit(0));
