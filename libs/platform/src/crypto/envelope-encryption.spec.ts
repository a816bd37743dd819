import { createHmac, generateKeyPairSync } from 'node:crypto';
import { DataKeyDecryptor, DataKeyEncryptor, DecryptionError, decryptWith, encryptFor, EncryptedValue, PrivateKeyring, pseudonymOf, rsaPublicKeyFrom } from './envelope-encryption';

function rsaPair(modulusLength: number): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', { modulusLength, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}
const declarations = rsaPair(2048);
const someoneElse = rsaPair(2048);

/** Flips one bit of a base64 field. */
function flipped(base64: string, byte = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte] ^= 0x01;
  return bytes.toString('base64');
}

describe('envelope encryption (RSA-OAEP-256 + A256GCM)', () => {
  it('round-trips a value, and names the key and algorithm', () => {
    const value = encryptFor(declarations.publicKey, 'declarations-2026', '123456782');
    expect(value).toEqual({
      keyId: 'declarations-2026',
      alg: 'RSA-OAEP-256+A256GCM',
      encryptedKey: expect.any(String),
      iv: expect.any(String),
      ciphertext: expect.any(String),
      tag: expect.any(String),
    });
    expect(Buffer.from(value.encryptedKey, 'base64')).toHaveLength(256);
    expect(Buffer.from(value.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(value.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(value)).not.toContain('123456782');
    expect(decryptWith(declarations.privateKey, value)).toBe('123456782');
  });

  it('uses a fresh key and IV each time: the same value never encrypts the same way twice', () => {
    const a = encryptFor(declarations.publicKey, 'k', '123456782');
    const b = encryptFor(declarations.publicKey, 'k', '123456782');
    expect(a.encryptedKey).not.toBe(b.encryptedKey);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('round-trips non-ASCII and empty values', () => {
    for (const text of ['', 'Zoë Ünal – 9 €', 'x'.repeat(10_000)]) {
      expect(decryptWith(declarations.privateKey, encryptFor(declarations.publicKey, 'k', text))).toBe(text);
    }
  });

  it('fails on a tampered ciphertext, tag, IV or encrypted key', () => {
    const value = encryptFor(declarations.publicKey, 'k', '123456782');
    const tampered: EncryptedValue[] = [
      { ...value, ciphertext: flipped(value.ciphertext) },
      { ...value, tag: flipped(value.tag, 15) },
      { ...value, iv: flipped(value.iv) },
      { ...value, encryptedKey: flipped(value.encryptedKey, 100) },
      { ...value, tag: Buffer.from(value.tag, 'base64').subarray(0, 4).toString('base64') }, // a truncated tag
      { ...value, ciphertext: '' },
    ];
    for (const t of tampered) expect(() => decryptWith(declarations.privateKey, t)).toThrow(DecryptionError);
  });

  it('fails with another private key', () => {
    const value = encryptFor(declarations.publicKey, 'k', '123456782');
    expect(() => decryptWith(someoneElse.privateKey, value)).toThrow(DecryptionError);
  });

  it('refuses an unknown algorithm', () => {
    const value = encryptFor(declarations.publicKey, 'k', '123456782');
    expect(() => decryptWith(declarations.privateKey, { ...value, alg: 'RSA1_5' as never })).toThrow(/unsupported algorithm/);
  });

  it('accepts a PEM with escaped newlines (one-line environment values)', () => {
    const oneLine = declarations.publicKey.replace(/\n/g, '\\n');
    expect(decryptWith(declarations.privateKey, encryptFor(oneLine, 'k', 'v'))).toBe('v');
  });

  it('refuses keys unfit for RSA-OAEP: not RSA, or shorter than 2048 bits', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const short = rsaPair(1024);
    expect(() => encryptFor(ec.publicKey, 'k', 'v')).toThrow(/RSA public key/);
    expect(() => encryptFor(short.publicKey, 'k', 'v')).toThrow(/1024 bits/);
    expect(() => rsaPublicKeyFrom('not a key')).toThrow();
  });
});

describe('pseudonymOf (HMAC-SHA256)', () => {
  it('is stable for the same secret and reference, and 64 hex characters', () => {
    const a = pseudonymOf('secret-one', 'WB-0042');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(pseudonymOf('secret-one', 'WB-0042')).toBe(a);
    expect(a).toBe(createHmac('sha256', 'secret-one').update('WB-0042').digest('hex'));
  });

  it('is keyed: another secret, or another reference, gives another pseudonym', () => {
    expect(pseudonymOf('secret-two', 'WB-0042')).not.toBe(pseudonymOf('secret-one', 'WB-0042'));
    expect(pseudonymOf('secret-one', 'WB-0043')).not.toBe(pseudonymOf('secret-one', 'WB-0042'));
  });

  it('refuses to work without a secret (never an unkeyed hash)', () => {
    expect(() => pseudonymOf('', 'WB-0042')).toThrow(/secret/);
  });
});

describe('PrivateKeyring: BSN key rotation', () => {
  const next = rsaPair(2048);
  const ring = PrivateKeyring.fromJson(JSON.stringify([{ keyId: 'declarations-2', privateKey: next.privateKey }, { keyId: 'declarations-1', privateKey: declarations.privateKey }]));

  it('reads values of the old key and of the new one, choosing by key id', () => {
    expect(ring.currentKeyId).toBe('declarations-2');
    expect(ring.decrypt(encryptFor(declarations.publicKey, 'declarations-1', '123456782'))).toBe('123456782');
    expect(ring.decrypt(encryptFor(next.publicKey, 'declarations-2', '111222333'))).toBe('111222333');
  });

  it('rewraps an old data key for the current key: the values under it stay as they are, and the old key is not needed', () => {
    const encryptor = new DataKeyEncryptor(declarations.publicKey, 'declarations-1');
    const values = ['123456782', '111222333'].map((bsn) => encryptor.encrypt(bsn));
    expect(values[1].encryptedKey).toBe(values[0].encryptedKey);
    const rewrapped = ring.rewrapDataKey(values[0]);
    expect(rewrapped.keyId).toBe('declarations-2');
    expect(rewrapped.encryptedKey).not.toBe(values[0].encryptedKey);
    const moved = values.map((v) => ({ ...v, ...rewrapped }));
    expect(moved.map((v) => decryptWith(next.privateKey, v))).toEqual(['123456782', '111222333']);
    expect(() => decryptWith(declarations.privateKey, moved[0])).toThrow(DecryptionError);
    expect(ring.rewrapDataKey(rewrapped)).toBe(rewrapped);
    const retired = new PrivateKeyring([{ keyId: 'declarations-2', privateKey: next.privateKey }]);
    expect(retired.decrypt(moved[1])).toBe('111222333');
    expect(() => retired.decrypt(values[0])).toThrow(/no key with id declarations-1/);
    expect(() => retired.rewrapDataKey(values[0])).toThrow(/no key with id declarations-1/);
    // A wrapped key that is not the old key's (altered) is refused, not rewrapped into nonsense.
    expect(() => ring.rewrapDataKey({ keyId: 'declarations-1', encryptedKey: values[0].encryptedKey.replace(/^.{4}/, 'AAAA') })).toThrow(DecryptionError);
  });

  it('refuses a keyring that is not an array of key ids with RSA private keys', () => {
    expect(() => PrivateKeyring.fromJson('{}')).toThrow(/JSON array/);
    expect(() => PrivateKeyring.fromJson('[]')).toThrow(/at least one key/);
    expect(() => PrivateKeyring.fromJson(JSON.stringify([{ keyId: 'a', privateKey: next.privateKey }, { keyId: 'a', privateKey: next.privateKey }]))).toThrow(/twice/);
    expect(() => PrivateKeyring.fromJson(JSON.stringify([{ keyId: 'a', privateKey: next.publicKey }]))).toThrow();
  });
});

describe('data keys shared by many values (DataKeyEncryptor / DataKeyDecryptor)', () => {
  it('reuses one wrapped data key within its limits, each value with its own IV, and each readable by decryptWith', () => {
    const encryptor = new DataKeyEncryptor(declarations.publicKey, 'declarations-2026', { maxUses: 3 });
    const values = ['123456782', '111222333', '999999990', '123456782'].map((bsn) => encryptor.encrypt(bsn, 1000));
    expect(new Set(values.slice(0, 3).map((v) => v.encryptedKey)).size).toBe(1);
    expect(values[3].encryptedKey).not.toBe(values[0].encryptedKey); // the fourth use gets a new key
    expect(new Set(values.map((v) => v.iv)).size).toBe(4);
    expect(values[0].ciphertext).not.toBe(values[3].ciphertext); // same BSN, different ciphertext
    expect(values.map((v) => decryptWith(declarations.privateKey, v))).toEqual(['123456782', '111222333', '999999990', '123456782']);
  });

  it('makes a new data key once the old one is older than its maximum age', () => {
    const encryptor = new DataKeyEncryptor(declarations.publicKey, 'k', { maxAgeMs: 60_000 });
    const first = encryptor.encrypt('123456782', 0);
    expect(encryptor.encrypt('123456782', 59_999).encryptedKey).toBe(first.encryptedKey);
    expect(encryptor.encrypt('123456782', 60_000).encryptedKey).not.toBe(first.encryptedKey);
  });

  it('decrypts many values under one data key and under evicted keys alike, and still refuses altered values', () => {
    const decryptor = new DataKeyDecryptor(declarations.privateKey, { cacheSize: 2 });
    const encryptors = [0, 1, 2].map(() => new DataKeyEncryptor(declarations.publicKey, 'k'));
    const values = [0, 1, 2, 0, 1, 2].map((i, n) => ({ bsn: String(100000000 + n), value: encryptors[i].encrypt(String(100000000 + n)) }));
    for (const { bsn, value } of values) expect(decryptor.decrypt(value)).toBe(bsn);
    const [{ value }] = values;
    expect(() => decryptor.decrypt({ ...value, ciphertext: flipped(value.ciphertext) })).toThrow(DecryptionError);
    expect(() => decryptor.decrypt({ ...value, tag: flipped(value.tag) })).toThrow(DecryptionError);
    expect(() => new DataKeyDecryptor(someoneElse.privateKey).decrypt(value)).toThrow(DecryptionError);
  });
});
