import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The metadata that marks a payload this codec encrypted, and names the key that did. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const ENCRYPTION_KEY_ID = 'encryption-key-id';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One AES-256 key of the payload codec and the id written beside every payload it encrypts. */
export interface PayloadCodecKey {
  id: string;
  key: Buffer;
}

export class PayloadCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadCodecError';
  }
}

/**
 * Parses `id:base64-of-32-bytes,id2:...` (commas or new lines between keys). The first key
 * encrypts; every key decrypts, so a new key goes first and an old one stays until no history
 * that needs it is kept. `source` names the variable or file in every message.
 */
export function parsePayloadCodecKeys(value: string, source = 'PAYLOAD_CODEC_KEYS'): PayloadCodecKey[] {
  const entries = value
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e.length > 0 && !e.startsWith('#'));
  if (entries.length === 0) throw new PayloadCodecError(`${source} holds no key (expected id:base64-of-32-bytes,...)`);
  const keys: PayloadCodecKey[] = [];
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID.test(id)) throw new PayloadCodecError(`${source}: each key must be id:base64-of-32-bytes, with an id of letters, digits, '.', '_' or '-'`);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw new PayloadCodecError(`${source}: key "${id}" is not base64`);
    const key = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
    if (key.length !== 32) throw new PayloadCodecError(`${source}: key "${id}" must be 32 bytes (AES-256), it is ${key.length}`);
    if (keys.some((k) => k.id === id)) throw new PayloadCodecError(`${source}: key id "${id}" appears twice`);
    keys.push({ id, key });
  }
  return keys;
}

/** A fresh `id:base64` key, as `npm start` writes it into DATA_DIR. */
export function generatePayloadCodecKey(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/**
 * Encrypts every payload Steward hands to Temporal (workflow and activity inputs and results,
 * signals, updates, queries, memos, and failure messages through the failure converter) with
 * AES-256-GCM: a random 12-byte nonce per payload, the key id in the metadata and bound to the
 * ciphertext as associated data, so moving a payload under another key id fails to decrypt.
 * The whole original payload (its metadata too) is encrypted, so not even its encoding shows.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadCodecKey;

  constructor(keys: readonly PayloadCodecKey[]) {
    if (keys.length === 0) throw new PayloadCodecError('the payload codec needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id of the key new payloads are encrypted with. */
  get keyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  encrypt(payload: Payload): Payload {
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
    cipher.setAAD(Buffer.from(this.current.id, 'utf8'));
    const data = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [ENCRYPTION_KEY_ID]: Buffer.from(this.current.id) },
      data,
    };
  }

  decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString('utf8') : undefined;
    // Not ours: passed through unchanged. The histories in test/histories (and any workflow that
    // was already running when the codec was turned on) were written in plain JSON, and replaying
    // them must still work. This costs no confidentiality (what is plain was plain already) and
    // no integrity either: the codec never vouched for who wrote a payload; decisions carry the
    // API's Ed25519 signature and executors demand a token, whatever the encoding.
    if (encoding !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[ENCRYPTION_KEY_ID];
    const id = idBytes ? Buffer.from(idBytes).toString('utf8') : '';
    const key = this.byId.get(id);
    if (!key) {
      throw new PayloadCodecError(
        id ? `payload encrypted with key "${id}", which is not among the configured payload codec keys (PAYLOAD_CODEC_KEYS)` : 'encrypted payload names no encryption-key-id',
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadCodecError(`encrypted payload (key "${id}") is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plaintext);
    } catch {
      throw new PayloadCodecError(`encrypted payload (key "${id}") failed authentication: altered, or encrypted with another key under the same id`);
    }
  }
}
