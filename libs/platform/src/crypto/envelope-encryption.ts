import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';

export const ENVELOPE_ALG = 'RSA-OAEP-256+A256GCM' as const;

/**
 * A value only the holder of one private key can read: a fresh AES-256-GCM key encrypts the
 * value, and RSA-OAEP (SHA-256) encrypts that key with the recipient's public key. Every field
 * is base64. Structurally the contracts' `EncryptedValueV1`.
 */
export interface EncryptedValue {
  keyId: string;
  alg: typeof ENVELOPE_ALG;
  encryptedKey: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

const AES_KEY_BYTES = 32;
const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const MIN_RSA_BITS = 2048;

/** Decryption failed: wrong key, or the value was altered. Says nothing more, on purpose. */
export class DecryptionError extends Error {
  constructor(message = 'the value cannot be decrypted with this key') {
    super(message);
    this.name = 'DecryptionError';
  }
}

/**
 * Parses an RSA public key (PEM, SPKI or PKCS#1) and checks it is fit for RSA-OAEP:
 * an `rsa` key of at least 2048 bits. Escaped newlines (`\n` in one-line env values) are accepted.
 */
export function rsaPublicKeyFrom(pem: string | KeyObject): KeyObject {
  const key = typeof pem === 'string' ? createPublicKey(pem.replace(/\\n/g, '\n')) : pem;
  if (key.type !== 'public' && key.type !== 'private') throw new Error('not an asymmetric key');
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`expected an RSA public key, got ${publicKey.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new Error(`the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  return publicKey;
}

/** Encrypts `plaintext` so that only the holder of the private key matching `publicKey` can read it. */
export function encryptFor(publicKey: string | KeyObject, keyId: string, plaintext: string): EncryptedValue {
  const recipient = rsaPublicKeyFrom(publicKey);
  const key = randomBytes(AES_KEY_BYTES);
  const iv = randomBytes(GCM_IV_BYTES);
  try {
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    const encryptedKey = publicEncrypt({ key: recipient, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
    return {
      keyId,
      alg: ENVELOPE_ALG,
      encryptedKey: encryptedKey.toString('base64'),
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: tag.toString('base64'),
    };
  } finally {
    key.fill(0);
  }
}

/**
 * Decrypts a value made by `encryptFor` with the matching private key. Throws a
 * `DecryptionError` for another key, an altered ciphertext, IV, tag or encrypted key.
 */
export function decryptWith(privateKey: string | KeyObject, value: EncryptedValue): string {
  if (value.alg !== ENVELOPE_ALG) throw new DecryptionError(`unsupported algorithm ${String(value.alg)}`);
  const own = typeof privateKey === 'string' ? createPrivateKey(privateKey.replace(/\\n/g, '\n')) : privateKey;
  const iv = Buffer.from(value.iv, 'base64');
  const tag = Buffer.from(value.tag, 'base64');
  if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) throw new DecryptionError();
  let key: Buffer;
  try {
    key = privateDecrypt({ key: own, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(value.encryptedKey, 'base64'));
  } catch {
    throw new DecryptionError();
  }
  try {
    if (key.length !== AES_KEY_BYTES) throw new DecryptionError();
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(value.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError();
  } finally {
    key.fill(0);
  }
}

/**
 * A keyed pseudonym (HMAC-SHA256, lower-case hex) of a reference: stable for the same secret
 * and reference, and not computable, nor reversible by trying references, without the secret.
 */
export function pseudonymOf(secret: string, reference: string): string {
  if (!secret) throw new Error('a pseudonym needs a secret');
  return createHmac('sha256', secret).update(reference, 'utf8').digest('hex');
}

/**
 * The private keys a recipient holds, by key id, for key rotation: values keep the id of the
 * key they were encrypted for, so old values stay readable while new ones use the current key,
 * and `rewrap` moves an old value to the current key without its plaintext leaving memory.
 * The first key is the current one.
 */
export class PrivateKeyring {
  private readonly keys = new Map<string, KeyObject>();
  readonly currentKeyId: string;
  private readonly currentPublicKey: KeyObject;

  constructor(entries: Array<{ keyId: string; privateKey: string | KeyObject }>) {
    if (entries.length === 0) throw new Error('a keyring needs at least one key');
    for (const { keyId, privateKey } of entries) {
      if (!keyId) throw new Error('every key needs a keyId');
      if (this.keys.has(keyId)) throw new Error(`key id ${keyId} appears twice`);
      const key = typeof privateKey === 'string' ? createPrivateKey(privateKey.replace(/\\n/g, '\n')) : privateKey;
      if (key.type !== 'private') throw new Error(`key ${keyId} is not a private key`);
      rsaPublicKeyFrom(key); // RSA of at least 2048 bits
      this.keys.set(keyId, key);
    }
    this.currentKeyId = entries[0].keyId;
    this.currentPublicKey = createPublicKey(this.keys.get(this.currentKeyId) as KeyObject);
  }

  /**
   * From configuration: a JSON array `[{"keyId":"declarations-2","privateKey":"-----BEGIN..."}, ...]`,
   * current key first.
   */
  static fromJson(json: string): PrivateKeyring {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new Error('the keyring is not valid JSON');
    }
    if (!Array.isArray(parsed) || parsed.some((e) => typeof e?.keyId !== 'string' || typeof e?.privateKey !== 'string')) {
      throw new Error('the keyring must be a JSON array of {"keyId": "...", "privateKey": "<PEM>"}');
    }
    return new PrivateKeyring(parsed);
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  decrypt(value: EncryptedValue): string {
    const key = this.keys.get(value.keyId);
    if (!key) throw new DecryptionError(`no key with id ${String(value.keyId)} in the keyring`);
    return decryptWith(key, value);
  }

  /** The same plaintext, encrypted for the current key. A value already under it is returned as is. */
  rewrap(value: EncryptedValue): EncryptedValue {
    if (value.keyId === this.currentKeyId) return value;
    return encryptFor(this.currentPublicKey, this.currentKeyId, this.decrypt(value));
  }
}
