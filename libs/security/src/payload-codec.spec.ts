import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { randomBytes } from 'node:crypto';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, ENCRYPTION_KEY_ID, generatePayloadCodecKey, parsePayloadCodecKeys } from './payload-codec';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const secret = { url: 'https://deploy.internal/payments?token=s3cr3t', comment: 'approved, ship it' };

describe('AesGcmPayloadCodec', () => {
  const [current, previous] = parsePayloadCodecKeys(`k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`);
  const codec = new AesGcmPayloadCodec([current, previous]);
  const plain = defaultPayloadConverter.toPayload(secret);

  it('encrypts with the first key: the metadata names it, nothing of the value shows', async () => {
    const [encoded] = await codec.encode([plain]);
    expect(text(encoded.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded.metadata?.[ENCRYPTION_KEY_ID])).toBe('k2');
    expect(Object.keys(encoded.metadata ?? {}).sort()).toEqual(['encoding', ENCRYPTION_KEY_ID]);
    expect(text(encoded.data)).not.toContain('s3cr3t');
    expect(text(encoded.data)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(secret);
  });

  it('uses a fresh 12-byte nonce for every payload', async () => {
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a.data!).subarray(0, 12).equals(Buffer.from(b.data!).subarray(0, 12))).toBe(false);
    // nonce + the whole serialized payload (metadata too) + the GCM tag
    expect(a.data!.length).toBe(12 + temporal.api.common.v1.Payload.encode(plain).finish().length + 16);
  });

  it('rotation: payloads of an older key still decrypt while that key is listed', async () => {
    const [old] = await new AesGcmPayloadCodec([previous]).encode([plain]);
    expect(defaultPayloadConverter.fromPayload((await codec.decode([old]))[0])).toEqual(secret);
  });

  it('refuses clearly a payload whose key is not configured', async () => {
    const [old] = await new AesGcmPayloadCodec([previous]).encode([plain]);
    await expect(new AesGcmPayloadCodec([current]).decode([old])).rejects.toThrow(/key "k1", which is not among the configured payload codec keys \(PAYLOAD_CODEC_KEYS\)/);
  });

  it('refuses an altered ciphertext, and a payload moved under another key id', async () => {
    const [encoded] = await codec.encode([plain]);
    const data = Buffer.from(encoded.data!);
    data[20] ^= 1;
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/failed authentication/);
    const moved: Payload = { ...encoded, metadata: { ...encoded.metadata, [ENCRYPTION_KEY_ID]: Buffer.from('k1') } };
    await expect(codec.decode([moved])).rejects.toThrow(/failed authentication/);
  });

  it('passes through payloads it did not encrypt (histories recorded before the codec)', async () => {
    expect(await codec.decode([plain])).toEqual([plain]);
  });
});

describe('parsePayloadCodecKeys', () => {
  it('reads id:base64 lists, by comma or line, and generated keys', () => {
    expect(parsePayloadCodecKeys(`${generatePayloadCodecKey('a')}\n${generatePayloadCodecKey('b')}`).map((k) => k.id)).toEqual(['a', 'b']);
  });

  it('names the source in every refusal', () => {
    expect(() => parsePayloadCodecKeys('')).toThrow(/PAYLOAD_CODEC_KEYS holds no key/);
    expect(() => parsePayloadCodecKeys('nokey')).toThrow(/PAYLOAD_CODEC_KEYS: each key must be id:base64/);
    expect(() => parsePayloadCodecKeys(`a:${randomBytes(16).toString('base64')}`)).toThrow(/PAYLOAD_CODEC_KEYS: key "a" must be 32 bytes/);
    expect(() => parsePayloadCodecKeys(`a:${randomBytes(32).toString('base64')},a:${randomBytes(32).toString('base64')}`, '/etc/keys')).toThrow(/\/etc\/keys: key id "a" appears twice/);
  });
});
