import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { DataKeyDecryptor, EncryptedValue, PrivateKeyring, SERVICE_CONFIG } from '@draaiboek/platform';
import { DeclarationsConfig } from '../../config/declarations.config';

/**
 * The private keys the BSN was encrypted for. `DECLARATIONS_PRIVATE_KEYS` is a keyring (current
 * key first) for rotation; the single `DECLARATIONS_PRIVATE_KEY` of before still works alone.
 */
@Injectable()
export class BsnKeys {
  readonly keyring?: PrivateKeyring;
  /** Keeps unwrapped data keys, so many lines sharing one cost one RSA step (0025). */
  private readonly single?: DataKeyDecryptor;

  constructor(@Inject(SERVICE_CONFIG) config: DeclarationsConfig) {
    const ring = config.DECLARATIONS_PRIVATE_KEYS ?? (config.DECLARATIONS_PRIVATE_KEYS_FILE ? readFileSync(config.DECLARATIONS_PRIVATE_KEYS_FILE, 'utf8') : undefined);
    if (ring) {
      try {
        this.keyring = PrivateKeyring.fromJson(ring);
      } catch (error) {
        throw new Error(`DECLARATIONS_PRIVATE_KEYS: ${(error as Error).message}`);
      }
    } else {
      const pem = config.DECLARATIONS_PRIVATE_KEY ?? (config.DECLARATIONS_PRIVATE_KEY_FILE ? readFileSync(config.DECLARATIONS_PRIVATE_KEY_FILE, 'utf8') : undefined);
      if (pem) this.single = new DataKeyDecryptor(pem);
    }
  }

  get available(): boolean {
    return this.keyring !== undefined || this.single !== undefined;
  }

  decrypt(value: EncryptedValue): string {
    if (this.keyring) return this.keyring.decrypt(value);
    if (!this.single) throw new Error('no declarations private key is configured');
    return this.single.decrypt(value);
  }
}
