import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ALL_TOPICS } from '@draaiboek/contracts';
import { SERVICE_COMMANDS } from '@draaiboek/messaging';
import { createTestDatabase, testKafkaBrokers } from '@draaiboek/messaging/testing';
import { intakeService } from './all-services';

jest.setTimeout(60_000);

// What the Kubernetes Jobs and compose's `topics` service run: `main.js migrate`, `main.js provision-topics`.
describe('one-off commands of a deployment, on real Postgres and Kafka', () => {
  it('migrate brings a fresh database to the current schema and is a no-op the second time', async () => {
    const database = await createTestDatabase();
    const db = new Client({ connectionString: database.url });
    try {
      const env = { DATABASE_URL: database.url, KAFKA_BROKERS: testKafkaBrokers(), LOG_LEVEL: 'error' };
      await SERVICE_COMMANDS.migrate(intakeService, env);
      await db.connect();
      const { rows: migrations } = await db.query('SELECT name FROM intake.migrations ORDER BY id');
      expect(migrations.map((m) => m.name)).toEqual(
        expect.arrayContaining(['MessagingTables1763856000000', 'OutboxTraceContext1764700000000', ...intakeService.migrations.map((m) => m.name)]),
      );
      const { rows: columns } = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'intake' AND table_name = 'outbox'`);
      expect(columns.map((c) => c.column_name)).toContain('trace_context');
      await SERVICE_COMMANDS.migrate(intakeService, env);
      const { rows: again } = await db.query('SELECT count(*)::int AS n FROM intake.migrations');
      expect(again[0].n).toBe(migrations.length);
    } finally {
      await db.end();
      await database.drop();
    }
  });

  it('provision-topics creates every registry topic with its partitions, and its dead-letter twin', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}.`;
    const database = await createTestDatabase();
    const admin = new Kafka({ clientId: 'commands-test', brokers: testKafkaBrokers().split(','), logLevel: logLevel.NOTHING }).admin();
    try {
      await SERVICE_COMMANDS['provision-topics'](intakeService, {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: testKafkaBrokers(),
        KAFKA_TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'error',
      });
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: ALL_TOPICS.flatMap((t) => [prefix + t.name, `${prefix}${t.name}.dlq`]) });
      for (const topic of ALL_TOPICS) {
        expect({ topic: topic.name, partitions: topics.find((t) => t.name === prefix + topic.name)?.partitions.length }).toEqual({
          topic: topic.name,
          partitions: topic.partitions,
        });
        expect(topics.find((t) => t.name === `${prefix}${topic.name}.dlq`)?.partitions).toHaveLength(1);
      }
    } finally {
      await admin.disconnect();
      await database.drop();
    }
  });
});
