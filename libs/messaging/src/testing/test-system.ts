import { randomBytes } from 'node:crypto';
import { sha256Hex, ServiceConfig } from '@draaiboek/platform';
import { RunningService, ServiceDefinition, startService, StartOptions } from '../nest/service-runtime';
import { createTestDatabase, testKafkaBrokers } from './test-database';
import { MailCatcher, startMailCatcher } from './mail-catcher';

/** API keys the test system accepts; the keys themselves, since tests send them. */
export const TEST_KEYS = {
  coordination: 'test-key-coordination',
  emmen: 'test-key-municipality-gm0114',
  assen: 'test-key-municipality-gm0106',
  finance: 'test-key-finance',
} as const;

const TEST_API_KEYS = JSON.stringify([
  { id: 'coordination-test', sha256: sha256Hex(TEST_KEYS.coordination), roles: ['coordination'] },
  { id: 'gm0114-system', sha256: sha256Hex(TEST_KEYS.emmen), roles: ['municipality'], municipalityCode: 'GM0114' },
  { id: 'gm0106-system', sha256: sha256Hex(TEST_KEYS.assen), roles: ['municipality'], municipalityCode: 'GM0106' },
  { id: 'finance-test', sha256: sha256Hex(TEST_KEYS.finance), roles: ['finance'] },
]);

export interface TestSystem {
  /** Topic prefix isolating this system's topics on the shared broker. */
  topicPrefix: string;
  databaseUrl: string;
  /** A real SMTP server the services send their mail to. */
  mail: MailCatcher;
  env: Record<string, string>;
  start<C extends ServiceConfig>(definition: ServiceDefinition<C>, options?: StartOptions): Promise<RunningService<C>>;
  topic(name: string): string;
  stop(): Promise<void>;
}

/**
 * Real services on the suite's real Kafka and Postgres, isolated per test file by a fresh
 * database and a topic prefix.
 */
export interface TestApiKey {
  id: string;
  key: string;
  roles: string[];
  municipalityCode?: string;
  practiceAgb?: string;
  hagroCode?: string;
  gpAgb?: string;
}

export async function createTestSystem(options: { apiKeys?: TestApiKey[] } = {}): Promise<TestSystem> {
  const database = await createTestDatabase();
  const mail = await startMailCatcher();
  const topicPrefix = `t${randomBytes(4).toString('hex')}.`;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: testKafkaBrokers(),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    SMTP_URL: mail.smtpUrl,
    API_KEYS: JSON.stringify([
      ...JSON.parse(TEST_API_KEYS),
      ...(options.apiKeys ?? []).map(({ key, ...principal }) => ({ ...principal, sha256: sha256Hex(key) })),
    ]),
  };
  const running: Array<RunningService<ServiceConfig>> = [];
  return {
    topicPrefix,
    databaseUrl: database.url,
    mail,
    env,
    async start(definition, options = {}) {
      const service = await startService(definition, {
        host: '127.0.0.1',
        port: 0,
        relay: { pollIntervalMs: 50, ...options.relay },
        consumer: { retry: { attempts: 3, initialBackoffMs: 50, maxBackoffMs: 200 }, ...options.consumer },
        ...options,
        env: { ...env, ...options.env },
      });
      running.push(service as unknown as RunningService<ServiceConfig>);
      const close = service.close;
      service.close = async () => {
        running.splice(running.indexOf(service as unknown as RunningService<ServiceConfig>), 1);
        await close();
      };
      return service;
    },
    topic: (name) => topicPrefix + name,
    async stop() {
      for (const service of [...running].reverse()) await service.close();
      await database.drop();
      await mail.stop();
    },
  };
}
