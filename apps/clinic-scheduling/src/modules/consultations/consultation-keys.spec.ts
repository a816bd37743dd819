import { generateKeyPairSync } from 'node:crypto';
import { ServiceUnavailableException } from '@nestjs/common';
import { ClinicSchedulingConfig } from '../../config/clinic-scheduling.config';
import { ConsultationKeys } from './consultation-keys';

function config(values: Partial<ClinicSchedulingConfig>): ClinicSchedulingConfig {
  return Object.assign(new ClinicSchedulingConfig(), values);
}
const pem = (type: 'rsa' | 'ec', modulusLength = 2048) =>
  type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).publicKey
    : generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).publicKey;

describe('ConsultationKeys', () => {
  it('lets the service start without keys, and answers 503 only when a key is needed', () => {
    const keys = new ConsultationKeys(config({}));
    expect(() => keys.pseudonymKey()).toThrow(ServiceUnavailableException);
    expect(() => keys.declarations()).toThrow(ServiceUnavailableException);
  });

  it('gives the configured keys', () => {
    const keys = new ConsultationKeys(config({ DECLARATIONS_PUBLIC_KEY: pem('rsa'), DECLARATIONS_KEY_ID: 'decl-7', PATIENT_PSEUDONYM_KEY: 'p'.repeat(32) }));
    expect(keys.pseudonymKey()).toBe('p'.repeat(32));
    expect(keys.declarations()).toMatchObject({ keyId: 'decl-7', key: expect.objectContaining({ asymmetricKeyType: 'rsa' }) });
  });

  it('refuses to start with a configured but unfit key, naming the variable and never printing it', () => {
    expect(() => new ConsultationKeys(config({ PATIENT_PSEUDONYM_KEY: 'short-secret' }))).toThrow(/^PATIENT_PSEUDONYM_KEY must be at least 32 characters/);
    expect(() => new ConsultationKeys(config({ PATIENT_PSEUDONYM_KEY: 'short-secret' }))).not.toThrow(/short-secret/);
    expect(() => new ConsultationKeys(config({ DECLARATIONS_PUBLIC_KEY: 'not a pem' }))).toThrow(/^DECLARATIONS_PUBLIC_KEY is not a usable RSA public key/);
    expect(() => new ConsultationKeys(config({ DECLARATIONS_PUBLIC_KEY: pem('ec') }))).toThrow(/expected an RSA public key/);
    expect(() => new ConsultationKeys(config({ DECLARATIONS_PUBLIC_KEY: pem('rsa', 1024) }))).toThrow(/1024 bits/);
  });
});
