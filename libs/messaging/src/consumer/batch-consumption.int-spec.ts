import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConsultationRecorded, createEnvelope, deadLetterTopicOf, EventEnvelope } from '@draaiboek/contracts';
import { JsonLogger } from '@draaiboek/platform';
import { createKafka, KafkaSettings, physicalTopic } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/provision-topics';
import { consumerTestDataSource } from '../testing/consumer-test-kit';
import { createTestDatabase, eventually, testKafkaBrokers } from '../testing/test-database';
import { KafkaProbe } from '../testing/kafka-probe';
import { loadContractFixture } from '../testing/fixtures';
import { BatchEventHandler, EventConsumer } from './event-consumer';
import { PermanentEventError } from './errors';

/**
 * The batch mode of the one consumer wrapper, on real Kafka and Postgres: many events in one
 * transaction, and still every promise of the single-event path (each effect once, a poison
 * event dead-lettered alone, the partition moving on, order per partition kept).
 */
jest.setTimeout(120_000);

describe('batch consumption', () => {
  const fixture = loadContractFixture(ConsultationRecorded.v1);
  const topic = ConsultationRecorded.v1.topic;
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;
  let settings: KafkaSettings;
  let probe: KafkaProbe;
  let consumer: EventConsumer | undefined;

  const consultation = (n: number, id = randomUUID()): EventEnvelope<object> =>
    createEnvelope({ type: fixture.type, source: fixture.source, subject: id, data: { ...fixture.data, consultationId: id, performanceCode: String(12000 + (n % 10)) } });

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await consumerTestDataSource(database.url, 'batchtest', 'chunk int NOT NULL');
  });

  // Each test on topics of its own, so nothing of one test reaches the next.
  beforeEach(async () => {
    settings = { clientId: 'batch-test', brokers: testKafkaBrokers().split(','), topicPrefix: `b${randomBytes(4).toString('hex')}.` };
    await provisionTopics(createKafka(settings), settings, [topic]);
    probe = new KafkaProbe();
    await probe.watch([deadLetterTopicOf(physicalTopic(settings, topic))]);
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await probe.close();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  async function startConsumer(handler: BatchEventHandler): Promise<{ outcomes: string[] }> {
    const outcomes: string[] = [];
    consumer = new EventConsumer(createKafka(settings), dataSource, new JsonLogger('batch-test', 'error', () => undefined), {
      settings,
      topics: [topic],
      handlers: new Map(),
      batchHandlers: new Map([[ConsultationRecorded.v1.type, handler]]),
      maxBatchSize: 100,
      retry: { attempts: 3, initialBackoffMs: 10, maxBackoffMs: 50 },
    });
    consumer.onOutcome((outcome) => outcomes.push(outcome));
    await consumer.start();
    return { outcomes };
  }

  let chunkNo = 0;
  const recordAll: BatchEventHandler = async (envelopes, { manager }) => {
    chunkNo += 1;
    for (const e of envelopes) {
      const data = e.data as { consultationId: string; performanceCode: string };
      if (data.performanceCode === '99999') throw new PermanentEventError('this consultation can never be declared', 'poison-consultation');
    }
    await manager.query('INSERT INTO effects (consultation_id, chunk) SELECT unnest($1::uuid[]), $2', [envelopes.map((e) => (e.data as { consultationId: string }).consultationId), chunkNo]);
  };

  it('applies many events per transaction, each exactly once, in partition order, with redeliveries absorbed', async () => {
    const events = Array.from({ length: 1000 }, (_, n) => consultation(n));
    const records = events.map((e) => ({ key: e.subject, value: JSON.stringify(e) }));
    await probe.produce(physicalTopic(settings, topic), records);
    // The same events again (a producer retry or a replay): the inbox must absorb them.
    await probe.produce(physicalTopic(settings, topic), records.slice(0, 250));
    const { outcomes } = await startConsumer(recordAll);

    await eventually(async () => outcomes.length >= 1250, { what: '1,250 outcomes', timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1000);
    expect(outcomes.filter((o) => o === 'duplicate').length).toBeGreaterThanOrEqual(250);
    const [{ count, chunks }] = await dataSource.query('SELECT count(*)::int AS count, count(DISTINCT chunk)::int AS chunks FROM effects');
    expect(count).toBe(1000);
    // Batched: far fewer transactions than events (chunks of at most 100 events).
    expect(chunks).toBeGreaterThanOrEqual(10);
    expect(chunks).toBeLessThan(200);

    // Within each partition the effects were written in the order of the records' offsets.
    const consultationOf = new Map(events.map((e) => [e.id, e.subject]));
    const inbox: Array<{ event_id: string; partition: number; kafka_offset: string }> = await dataSource.query(
      'SELECT event_id, partition, kafka_offset FROM inbox ORDER BY partition, kafka_offset::bigint',
    );
    const seqOf = new Map<string, number>(
      (await dataSource.query('SELECT consultation_id, seq FROM effects')).map((r: { consultation_id: string; seq: string }) => [r.consultation_id, Number(r.seq)]),
    );
    const partitions = new Set(inbox.map((r) => r.partition));
    for (const partition of partitions) {
      const seqs = inbox.filter((r) => r.partition === partition).map((r) => seqOf.get(consultationOf.get(r.event_id) as string) as number);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
  });

  it('applies a record that is in one chunk twice (a producer retry) only once', async () => {
    await dataSource.query('TRUNCATE effects');
    const events = Array.from({ length: 50 }, (_, n) => consultation(n));
    // Each record twice in a row, in one send: the copies land next to each other, in one chunk.
    await probe.produce(physicalTopic(settings, topic), events.flatMap((e) => [0, 1].map(() => ({ key: e.subject, value: JSON.stringify(e) }))));
    const { outcomes } = await startConsumer(recordAll);
    // The test's own producer may retry too (it is not idempotent): at least the 100 sent records.
    await eventually(async () => outcomes.length >= 100, { what: `100 outcomes (have ${outcomes.length})`, timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(50);
    expect(outcomes.filter((o) => o === 'duplicate').length).toBeGreaterThanOrEqual(50);
    const rows: Array<{ consultation_id: string }> = await dataSource.query('SELECT consultation_id FROM effects');
    expect(rows.map((r) => r.consultation_id).sort()).toEqual(events.map((e) => e.subject).sort());
  });

  it('dead-letters a poison event and an invalid record alone; the rest of their chunk is applied and the partition moves on', async () => {
    await dataSource.query('TRUNCATE effects');
    const good = Array.from({ length: 40 }, (_, n) => consultation(n));
    const poisonId = randomUUID();
    const poison = createEnvelope({ type: fixture.type, source: fixture.source, subject: poisonId, data: { ...fixture.data, consultationId: poisonId, performanceCode: '99999' } });
    const invalidId = randomUUID();
    const invalid = createEnvelope({ type: fixture.type, source: fixture.source, subject: invalidId, data: { ...fixture.data, consultationId: invalidId, performanceCode: 'not-a-code' } });
    const values = [...good.slice(0, 20), poison, invalid, ...good.slice(20)];
    await probe.produce(physicalTopic(settings, topic), values.map((e) => ({ key: e.subject, value: JSON.stringify(e) })));
    const { outcomes } = await startConsumer(recordAll);

    const dlq = deadLetterTopicOf(physicalTopic(settings, topic));
    // Dead letters are at-least-once (decision 0004): a batch redelivered before its offsets were
    // committed (a rebalance, kafkajs restarting its consumer) sends them again, with the same
    // original partition and offset. Exactly the two bad records are dead-lettered, nothing else.
    // (The two are in different partitions when their keys say so: an offset alone is not a record.)
    const deadLetters = () =>
      new Map(probe.on(dlq).map((r) => [`${r.headers['dlq-original-partition']}/${r.headers['dlq-original-offset']}`, { reason: r.headers['dlq-reason'], key: r.key }]));
    await eventually(async () => deadLetters().size >= 2 && outcomes.filter((o) => o === 'applied').length >= 40, {
      what: 'the good events applied and the bad ones dead-lettered',
      timeoutMs: 60_000,
    });
    const dead = deadLetters();
    expect([...dead.values()]).toEqual(expect.arrayContaining([{ reason: 'poison-consultation', key: poisonId }, { reason: 'invalid-data', key: invalidId }]));
    expect(dead.size).toBe(2);
    const applied: Array<{ consultation_id: string }> = await dataSource.query('SELECT consultation_id FROM effects');
    expect(applied.map((r) => r.consultation_id).sort()).toEqual(good.map((e) => e.subject).sort());
  });
});
