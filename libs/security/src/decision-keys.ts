import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * The Ed25519 key pair of CAB decisions. The API holds the private key and signs; the worker
 * holds only the public key and verifies, so a compromised worker (or anyone who reads its
 * configuration) cannot forge a vote.
 *
 * Formats, both one line so that they fit an environment variable:
 * - DECISION_SIGNING_KEY: the 32-byte Ed25519 seed in base64 (or base64url), or a PKCS#8 PEM;
 * - DECISION_VERIFY_KEY: the 32-byte raw public key in base64 (or base64url), or an SPKI PEM.
 */
export class DecisionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionKeyError';
  }
}

// DER headers of an Ed25519 PKCS#8 private key and SPKI public key (RFC 8410), before the 32 raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function raw32(value: string, variable: string): Buffer {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new DecisionKeyError(`${variable} must be base64 of 32 bytes or a PEM`);
  const bytes = Buffer.from(trimmed, /[-_]/.test(trimmed) ? 'base64url' : 'base64');
  if (bytes.length !== 32) throw new DecisionKeyError(`${variable} must be an Ed25519 key of 32 bytes (base64), it is ${bytes.length} bytes`);
  return bytes;
}

function mustBeEd25519(key: KeyObject, variable: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new DecisionKeyError(`${variable} must be an Ed25519 key, it is ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

export function parseDecisionSigningKey(value: string, variable = 'DECISION_SIGNING_KEY'): KeyObject {
  const text = value.trim().replace(/\\n/g, '\n');
  if (text.startsWith('-----BEGIN')) {
    try {
      return mustBeEd25519(createPrivateKey({ key: text, format: 'pem' }), variable);
    } catch (error) {
      if (error instanceof DecisionKeyError) throw error;
      throw new DecisionKeyError(`${variable} is not a readable PKCS#8 PEM private key`);
    }
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw32(text, variable)]), format: 'der', type: 'pkcs8' });
}

export function parseDecisionVerifyKey(value: string, variable = 'DECISION_VERIFY_KEY'): KeyObject {
  const text = value.trim().replace(/\\n/g, '\n');
  if (text.startsWith('-----BEGIN')) {
    if (/PRIVATE KEY/.test(text)) throw new DecisionKeyError(`${variable} must be the public key; it holds a private key`);
    try {
      return mustBeEd25519(createPublicKey({ key: text, format: 'pem' }), variable);
    } catch (error) {
      if (error instanceof DecisionKeyError) throw error;
      throw new DecisionKeyError(`${variable} is not a readable SPKI PEM public key`);
    }
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw32(text, variable)]), format: 'der', type: 'spki' });
}

/** The raw 32-byte public key in base64: the DECISION_VERIFY_KEY of a signing key (or of itself). */
export function decisionVerifyKeyOf(key: KeyObject): string {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length).toString('base64');
}

/** A fresh pair in the one-line formats above, as `npm start` writes it into DATA_DIR. */
export function generateDecisionKeyPair(): { signingKey: string; verifyKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signingKey: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length).toString('base64'),
    verifyKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length).toString('base64'),
  };
}
