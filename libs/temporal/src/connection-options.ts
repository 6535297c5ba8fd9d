import type { TLSConfig } from '@temporalio/client';
import { readFileSync } from 'node:fs';

/**
 * How to reach a secured Temporal cluster: mTLS (a client certificate pair), a private CA, a
 * server name other than the address's host, or a Temporal Cloud API key (which implies TLS).
 * Paths are read when the connection is made, so a renewed certificate is picked up on restart.
 */
export interface TemporalTlsSettings {
  /** TEMPORAL_TLS_CERT: PEM client certificate (mTLS), with `keyPath`. */
  certPath?: string;
  /** TEMPORAL_TLS_KEY: PEM private key of the client certificate. */
  keyPath?: string;
  /** TEMPORAL_TLS_CA: PEM CA bundle the server's certificate must chain to (default: the system's). */
  caPath?: string;
  /** TEMPORAL_TLS_SERVER_NAME: the name the server's certificate must carry (SNI too). */
  serverName?: string;
  /** TEMPORAL_API_KEY: sent as `Authorization: Bearer` on every call (Temporal Cloud). */
  apiKey?: string;
  /** TEMPORAL_TLS=true: TLS with the system's CAs and nothing else configured. */
  enabled?: boolean;
}

/** What Connection.connect and NativeConnection.connect both take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

/** True when any setting asks for TLS. */
export function usesTls(settings: TemporalTlsSettings | undefined): boolean {
  return !!settings && !!(settings.enabled || settings.certPath || settings.keyPath || settings.caPath || settings.serverName || settings.apiKey);
}

export function temporalConnectionOptions(address: string, settings: TemporalTlsSettings = {}): TemporalConnectionOptions {
  if (!usesTls(settings)) return { address };
  if (!!settings.certPath !== !!settings.keyPath) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (a client certificate and its key)');
  const tls: TLSConfig = {};
  if (settings.serverName) tls.serverNameOverride = settings.serverName;
  if (settings.caPath) tls.serverRootCACertificate = readFileSync(settings.caPath);
  if (settings.certPath && settings.keyPath) tls.clientCertPair = { crt: readFileSync(settings.certPath), key: readFileSync(settings.keyPath) };
  return { address, tls, ...(settings.apiKey ? { apiKey: settings.apiKey } : {}) };
}
