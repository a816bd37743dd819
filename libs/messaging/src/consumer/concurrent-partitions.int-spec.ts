import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConsultationRecorded, createEnvelope, EventEnvelope } from '@draaiboek/contracts';
import { JsonLogger } from '@draaiboek/platform';
import { createKafka, KafkaSettings, physicalTopic } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/provision-topics';
import { consumerTestDataSource } from '../testing/consumer-test-kit';
import { createTestDatabase, eventually, testKafkaBrokers } from '../testing/test-database';
import { KafkaProbe } from '../testing/kafka-probe';
import { loadContractFixture } from '../testing/fixtures';
import { EventConsumer, EventHandler } from './event-consumer';

/**
 * Several partitions at once (KAFKA_PARTITIONS_CONCURRENTLY), on real Kafka and Postgres: the
 * partitions of one fetch are applied side by side, so a slow event holds up its own partition and
 * not the others of that fetch, and order within every partition is kept. (kafkajs fetches again
 * only when every batch of the last fetch is done: concurrency is throughput, not isolation.)
 */
jest.setTimeout(120_000);

describe('partitions consumed concurrently', () => {
  const fixture = loadContractFixture(ConsultationRecorded.v1);
  const topic = ConsultationRecorded.v1.topic;
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;
  let settings: KafkaSettings;
  let probe: KafkaProbe;
  let consumer: EventConsumer | undefined;

  const consultation = (): EventEnvelope<object> => {
    const id = randomUUID();
    return createEnvelope({ type: fixture.type, source: fixture.source, subject: id, data: { ...fixture.data, consultationId: id } });
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await consumerTestDataSource(database.url, 'concurrencytest', 'kafka_partition int NOT NULL');
    settings = { clientId: 'concurrency-test', brokers: testKafkaBrokers().split(','), topicPrefix: `c${randomBytes(4).toString('hex')}.` };
    await provisionTopics(createKafka(settings), settings, [topic]);
    probe = new KafkaProbe();
  });

  afterAll(async () => {
    await consumer?.stop();
    await probe.close();
    await dataSource.destroy();
    await database.drop();
  });

  it('applies the other partitions of a fetch while one partition waits on a slow event, keeping the order within each', async () => {
    const blocker = consultation();
    const behindBlocker = Array.from({ length: 5 }, consultation);
    const others = [1, 2, 3, 4, 5].map((partition) => ({ partition, events: Array.from({ length: 10 }, consultation) }));
    const physical = physicalTopic(settings, topic);
    await probe.produce(physical, [blocker, ...behindBlocker].map((e) => ({ key: e.subject, value: JSON.stringify(e), partition: 0 })));
    for (const { partition, events } of others) await probe.produce(physical, events.map((e) => ({ key: e.subject, value: JSON.stringify(e), partition })));

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let blockerStarted = false;
    const handler: EventHandler = async (envelope, context) => {
      if (envelope.id === blocker.id) {
        blockerStarted = true;
        await released;
      }
      await context.manager.query('INSERT INTO effects (consultation_id, kafka_partition) VALUES ($1, $2)', [envelope.subject, context.partition]);
    };
    consumer = new EventConsumer(createKafka(settings), dataSource, new JsonLogger('concurrency-test', 'error', () => undefined), {
      settings,
      topics: [topic],
      handlers: new Map([[ConsultationRecorded.v1.type, handler]]),
      partitionsConsumedConcurrently: 3,
    });
    await consumer.start();
    await eventually(async () => blockerStarted, { what: 'the slow event in hand', timeoutMs: 60_000 });

    const applied = async (partition: number): Promise<string[]> =>
      (await dataSource.query('SELECT consultation_id FROM effects WHERE kafka_partition = $1 ORDER BY seq', [partition])).map(
        (r: { consultation_id: string }) => r.consultation_id,
      );
    // While partition 0 waits on its first event, every other partition is applied in full.
    await eventually(async () => (await Promise.all(others.map((o) => applied(o.partition)))).every((ids) => ids.length === 10), {
      what: 'the other partitions applied while partition 0 waits',
      timeoutMs: 60_000,
    });
    expect(await applied(0)).toEqual([]);

    release();
    await eventually(async () => (await applied(0)).length === 6, { what: 'partition 0 applied after the slow event', timeoutMs: 60_000 });
    expect(await applied(0)).toEqual([blocker, ...behindBlocker].map((e) => e.subject));
    for (const { partition, events } of others) expect(await applied(partition)).toEqual(events.map((e) => e.subject));
  });
});
