import { createPublicKey, KeyObject, verify } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  keyId: 'draaiboek-key-id',
  signature: 'draaiboek-signature',
} as const;

export interface SigningKey {
  keyId: string;
  municipalityCode: string;
  publicKey: KeyObject;
}

export type SignatureCheck = { ok: true; key: SigningKey } | { ok: false; message: string };

/**
 * Municipal systems sign each Kafka record they publish: an Ed25519 signature over the
 * record value's bytes, base64 in `draaiboek-signature`, with `draaiboek-key-id` naming the key.
 * Intake holds only public keys, so its configuration reveals no secret.
 */
export class SigningKeyRing {
  private readonly keys: Map<string, SigningKey>;

  constructor(keys: SigningKey[]) {
    this.keys = new Map(keys.map((k) => [k.keyId, k]));
  }

  static fromJson(text: string | undefined): SigningKeyRing {
    if (!text) return new SigningKeyRing([]);
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error('municipal signing keys: expected a JSON array');
    return new SigningKeyRing(
      parsed.map((entry, i) => {
        const { keyId, municipalityCode, publicKey } = entry as Record<string, unknown>;
        if (typeof keyId !== 'string' || typeof municipalityCode !== 'string' || !/^GM\d{4}$/.test(municipalityCode) || typeof publicKey !== 'string') {
          throw new Error(`municipal signing keys: entry ${i} needs keyId, municipalityCode (GM + 4 digits) and publicKey (PEM)`);
        }
        const key = createPublicKey(publicKey);
        if (key.asymmetricKeyType !== 'ed25519') throw new Error(`municipal signing keys: ${keyId} is not an Ed25519 key`);
        return { keyId, municipalityCode, publicKey: key };
      }),
    );
  }

  verify(value: Buffer | null, headers: Record<string, string>): SignatureCheck {
    const keyId = headers[SIGNATURE_HEADERS.keyId];
    const signature = headers[SIGNATURE_HEADERS.signature];
    if (!keyId || !signature) return { ok: false, message: `unsigned record: ${SIGNATURE_HEADERS.keyId} and ${SIGNATURE_HEADERS.signature} headers are required` };
    const key = this.keys.get(keyId);
    if (!key) return { ok: false, message: `unknown signing key ${keyId}` };
    if (!value || !verify(null, value, key.publicKey, Buffer.from(signature, 'base64'))) {
      return { ok: false, message: `signature does not match the record for key ${keyId}` };
    }
    return { ok: true, key };
  }
}
