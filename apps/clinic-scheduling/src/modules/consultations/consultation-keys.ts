import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { DataKeyEncryptor, rsaPublicKeyFrom, SERVICE_CONFIG } from '@draaiboek/platform';
import { ClinicSchedulingConfig } from '../../config/clinic-scheduling.config';

/** Shorter HMAC secrets would let someone try every wristband number against a pseudonym. */
export const MIN_PSEUDONYM_KEY_LENGTH = 32;

/**
 * The keys consultations need. The service starts without them (other capabilities do not
 * need them), but a key that is configured and unfit stops the start, naming the variable.
 * Recording without the keys it needs answers 503; there is never a fallback to an unkeyed
 * hash or to a plaintext BSN.
 */
@Injectable()
export class ConsultationKeys {
  private readonly declarationsKey?: KeyObject;
  private encryptor?: DataKeyEncryptor;
  private readonly declarationsKeyId: string;
  private readonly pseudonymSecret?: string;

  constructor(@Inject(SERVICE_CONFIG) config: ClinicSchedulingConfig) {
    if (config.DECLARATIONS_PUBLIC_KEY) {
      try {
        this.declarationsKey = rsaPublicKeyFrom(config.DECLARATIONS_PUBLIC_KEY);
      } catch (error) {
        throw new Error(`DECLARATIONS_PUBLIC_KEY is not a usable RSA public key (PEM): ${(error as Error).message}`);
      }
    }
    if (config.PATIENT_PSEUDONYM_KEY !== undefined && config.PATIENT_PSEUDONYM_KEY.length < MIN_PSEUDONYM_KEY_LENGTH) {
      throw new Error(`PATIENT_PSEUDONYM_KEY must be at least ${MIN_PSEUDONYM_KEY_LENGTH} characters (a random secret)`);
    }
    this.pseudonymSecret = config.PATIENT_PSEUDONYM_KEY;
    this.declarationsKeyId = config.DECLARATIONS_KEY_ID;
  }

  /** The secret for patient pseudonyms; 503 when it is not configured. */
  pseudonymKey(): string {
    if (!this.pseudonymSecret) {
      throw new ServiceUnavailableException({
        error: 'pseudonym_key_missing',
        message: 'Consultations cannot be recorded: PATIENT_PSEUDONYM_KEY is not configured',
      });
    }
    return this.pseudonymSecret;
  }

  /** Declarations' public key and its id; 503 when it is not configured. */
  declarations(): { key: KeyObject; keyId: string } {
    if (!this.declarationsKey) {
      throw new ServiceUnavailableException({
        error: 'declarations_key_missing',
        message: 'A consultation with a BSN cannot be recorded: DECLARATIONS_PUBLIC_KEY is not configured',
      });
    }
    return { key: this.declarationsKey, keyId: this.declarationsKeyId };
  }

  /**
   * Encrypts a BSN for declarations only. One data key serves many BSNs (bounded in count and
   * time), so declarations unwraps it once for many lines instead of one RSA step per line.
   */
  encryptBsnForDeclarations(bsn: string): ReturnType<DataKeyEncryptor['encrypt']> {
    const { key, keyId } = this.declarations();
    this.encryptor ??= new DataKeyEncryptor(key, keyId);
    return this.encryptor.encrypt(bsn);
  }
}
