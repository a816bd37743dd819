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
  const encryptor = new DataKeyEncryptor(publicKey, keyId, { maxUses: 1 });
  try {
    return encryptor.encrypt(plaintext);
  } finally {
    encryptor.forget();
  }
}

/**
 * Decrypts a value made by `encryptFor` with the matching private key. Throws a
 * `DecryptionError` for another key, an altered ciphertext, IV, tag or encrypted key.
 */
export function decryptWith(privateKey: string | KeyObject, value: EncryptedValue): string {
  const decryptor = new DataKeyDecryptor(privateKey, { cacheSize: 0 });
  return decryptor.decrypt(value);
}

/** A data key wrapped (RSA-OAEP, SHA-256) for the holder of `publicKey`'s private key, as base64. */
function wrapDataKey(publicKey: KeyObject, dataKey: Buffer): string {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dataKey).toString('base64');
}

export interface DataKeyLimits {
  /** Values encrypted under one data key before a new one is made (random 96-bit IVs are safe far beyond this). */
  maxUses: number;
  /** Age after which a data key is no longer used, in ms. */
  maxAgeMs: number;
}

/**
 * Encrypts many values for one recipient. The RSA-OAEP step (the costly one: a few hundred per
 * second per core for the recipient) wraps a data key that is reused for a bounded number of
 * values and time, each value with its own random IV, as data-key caching does in envelope
 * encryption SDKs. Values stay self-contained: each carries its wrapped key.
 */
export class DataKeyEncryptor {
  private readonly recipient: KeyObject;
  private readonly limits: DataKeyLimits;
  private current?: { key: Buffer; encryptedKey: string; uses: number; createdAt: number };

  constructor(
    publicKey: string | KeyObject,
    private readonly keyId: string,
    limits: Partial<DataKeyLimits> = {},
  ) {
    this.recipient = rsaPublicKeyFrom(publicKey);
    this.limits = { maxUses: 10_000, maxAgeMs: 3_600_000, ...limits };
  }

  encrypt(plaintext: string, now = Date.now()): EncryptedValue {
    const dataKey = this.dataKey(now);
    const iv = randomBytes(GCM_IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv, { authTagLength: GCM_TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: this.keyId,
      alg: ENVELOPE_ALG,
      encryptedKey: dataKey.encryptedKey,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  /** Wipes the data key in memory; the next value gets a new one. */
  forget(): void {
    this.current?.key.fill(0);
    this.current = undefined;
  }

  private dataKey(now: number) {
    const c = this.current;
    if (c && c.uses < this.limits.maxUses && now - c.createdAt < this.limits.maxAgeMs) {
      c.uses += 1;
      return c;
    }
    this.forget();
    const key = randomBytes(AES_KEY_BYTES);
    const encryptedKey = wrapDataKey(this.recipient, key);
    this.current = { key, encryptedKey, uses: 1, createdAt: now };
    return this.current;
  }
}

/**
 * Decrypts values made by `encryptFor` or a `DataKeyEncryptor`, keeping the most recently
 * unwrapped data keys (by their wrapped form) so values sharing a data key cost one RSA step.
 */
export class DataKeyDecryptor {
  private readonly own: KeyObject;
  private readonly cacheSize: number;
  private readonly keys = new Map<string, Buffer>();

  constructor(privateKey: string | KeyObject, { cacheSize = 1000 }: { cacheSize?: number } = {}) {
    this.own = typeof privateKey === 'string' ? createPrivateKey(privateKey.replace(/\\n/g, '\n')) : privateKey;
    this.cacheSize = cacheSize;
  }

  decrypt(value: EncryptedValue): string {
    if (value.alg !== ENVELOPE_ALG) throw new DecryptionError(`unsupported algorithm ${String(value.alg)}`);
    const iv = Buffer.from(value.iv, 'base64');
    const tag = Buffer.from(value.tag, 'base64');
    if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) throw new DecryptionError();
    const key = this.unwrap(value.encryptedKey);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(value.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError();
    } finally {
      if (this.cacheSize === 0) key.fill(0);
    }
  }

  /** The data key inside a wrapped key (a copy, to wipe after use). Throws a DecryptionError for another key. */
  dataKeyOf(encryptedKey: string): Buffer {
    return Buffer.from(this.unwrap(encryptedKey));
  }

  private unwrap(encryptedKey: string): Buffer {
    const cached = this.keys.get(encryptedKey);
    if (cached) {
      // Most recently used last: Map keeps insertion order, so the first entry is the oldest.
      this.keys.delete(encryptedKey);
      this.keys.set(encryptedKey, cached);
      return cached;
    }
    let key: Buffer;
    try {
      key = privateDecrypt({ key: this.own, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(encryptedKey, 'base64'));
    } catch {
      throw new DecryptionError();
    }
    if (key.length !== AES_KEY_BYTES) throw new DecryptionError();
    if (this.cacheSize > 0) {
      this.keys.set(encryptedKey, key);
      if (this.keys.size > this.cacheSize) {
        const [oldest, oldKey] = this.keys.entries().next().value as [string, Buffer];
        oldKey.fill(0);
        this.keys.delete(oldest);
      }
    }
    return key;
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
  private readonly keys = new Map<string, DataKeyDecryptor>();
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
      this.keys.set(keyId, new DataKeyDecryptor(key));
    }
    this.currentKeyId = entries[0].keyId;
    const current = typeof entries[0].privateKey === 'string' ? createPrivateKey(entries[0].privateKey.replace(/\\n/g, '\n')) : entries[0].privateKey;
    this.currentPublicKey = createPublicKey(current);
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

  /** The ids of the keys in the ring, current first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  decrypt(value: EncryptedValue): string {
    const key = this.keys.get(value.keyId);
    if (!key) throw new DecryptionError(`no key with id ${String(value.keyId)} in the keyring`);
    return key.decrypt(value);
  }

  /**
   * A wrapped data key wrapped again, for the current key: the values encrypted under the data key
   * stay as they are and stay readable. A key already under the current key is returned as is.
   */
  rewrapDataKey(wrapped: { keyId: string; encryptedKey: string }): { keyId: string; encryptedKey: string } {
    if (wrapped.keyId === this.currentKeyId) return wrapped;
    const holder = this.keys.get(wrapped.keyId);
    if (!holder) throw new DecryptionError(`no key with id ${String(wrapped.keyId)} in the keyring`);
    const dataKey = holder.dataKeyOf(wrapped.encryptedKey);
    try {
      return { keyId: this.currentKeyId, encryptedKey: wrapDataKey(this.currentPublicKey, dataKey) };
    } finally {
      dataKey.fill(0);
    }
  }
}
