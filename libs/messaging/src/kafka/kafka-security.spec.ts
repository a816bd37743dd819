import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ServiceConfig } from '@draaiboek/platform';
import { kafkaSecurityFrom } from './kafka-factory';

const base = { DATABASE_URL: 'postgres://u@localhost:5432/db', KAFKA_BROKERS: 'kafka-1:9093' };
const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('Kafka TLS and SASL/SCRAM from the environment', () => {
  it('connects in plaintext when nothing is configured (local development and tests)', () => {
    expect(kafkaSecurityFrom(loadConfig('x', ServiceConfig, base))).toEqual({});
  });

  it('uses SCRAM over TLS, the password read from a mounted secret file', () => {
    const config = loadConfig('x', ServiceConfig, {
      ...base,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'intake',
      KAFKA_SASL_PASSWORD_FILE: file('password', 's3cret\n'),
    });
    expect(kafkaSecurityFrom(config)).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'intake', password: 's3cret' } });
  });

  it('verifies brokers against a given CA and presents a client certificate for mutual TLS', () => {
    const config = loadConfig('x', ServiceConfig, {
      ...base,
      KAFKA_TLS_CA_FILE: file('ca.pem', 'CA PEM'),
      KAFKA_TLS_CERT_FILE: file('cert.pem', 'CERT PEM'),
      KAFKA_TLS_KEY_FILE: file('key.pem', 'KEY PEM'),
    });
    expect(kafkaSecurityFrom(config)).toEqual({ ssl: { rejectUnauthorized: true, ca: ['CA PEM'], cert: 'CERT PEM', key: 'KEY PEM' } });
  });

  it('keeps SCRAM without TLS only when KAFKA_TLS=false says so', () => {
    const config = loadConfig('x', ServiceConfig, { ...base, KAFKA_TLS: 'false', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' });
    expect(kafkaSecurityFrom(config)).toEqual({ sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } });
  });

  it('refuses to start with half a configuration, naming the variables', () => {
    expect(() => loadConfig('x', ServiceConfig, { ...base, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(/KAFKA_SASL_USERNAME[\s\S]*KAFKA_SASL_PASSWORD/);
    expect(() => loadConfig('x', ServiceConfig, { ...base, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => loadConfig('x', ServiceConfig, { ...base, KAFKA_TLS_CERT_FILE: '/c.pem' })).toThrow(/KAFKA_TLS_KEY_FILE/);
    expect(() => loadConfig('x', ServiceConfig, { ...base, KAFKA_TLS: 'yes' })).toThrow(/KAFKA_TLS/);
  });
});
