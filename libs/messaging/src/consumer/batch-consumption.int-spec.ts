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
import { BatchEventHandler, EventConsumer, EventConsumerOptions, IdempotentBatchEventHandler, Outcome } from './event-consumer';
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
    // For the handler idempotent by its own key: one row per consultation, whatever arrives.
    await dataSource.query('CREATE TABLE keyed_effects (seq bigserial PRIMARY KEY, consultation_id uuid NOT NULL UNIQUE, chunk int NOT NULL)');
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

  async function startConsumer(
    handler: BatchEventHandler | { idempotent: IdempotentBatchEventHandler },
    more: Pick<EventConsumerOptions, 'afterCommit'> = {},
  ): Promise<{ outcomes: string[]; byEvent: Map<string, Outcome[]> }> {
    const outcomes: string[] = [];
    const byEvent = new Map<string, Outcome[]>();
    const type = ConsultationRecorded.v1.type;
    consumer = new EventConsumer(createKafka(settings), dataSource, new JsonLogger('batch-test', 'error', () => undefined), {
      settings,
      topics: [topic],
      handlers: new Map(),
      ...('idempotent' in handler ? { idempotentBatchHandlers: new Map([[type, handler.idempotent]]) } : { batchHandlers: new Map([[type, handler]]) }),
      maxBatchSize: 100,
      retry: { attempts: 3, initialBackoffMs: 10, maxBackoffMs: 50 },
      ...more,
    });
    consumer.onOutcome((outcome, id) => {
      outcomes.push(outcome);
      if (id) byEvent.set(id, [...(byEvent.get(id) ?? []), outcome]);
    });
    await consumer.start();
    return { outcomes, byEvent };
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

  /**
   * Idempotent by its own key (the consultation id): writes what is new and answers which events
   * that was. Records what it was handed, and where each event came from.
   */
  const handedOver: string[][] = [];
  const origin = new Map<string, { partition: number; offset: number }>();
  const recordOnce: IdempotentBatchEventHandler = async (envelopes, { manager, partition, records }) => {
    chunkNo += 1;
    handedOver.push(envelopes.map((e) => e.id));
    const consultationOf = (e: EventEnvelope<object>) => (e.data as { consultationId: string }).consultationId;
    for (const e of envelopes) {
      if ((e.data as { performanceCode: string }).performanceCode === '99999') throw new PermanentEventError('this consultation can never be declared', 'poison-consultation');
    }
    envelopes.forEach((e, i) => origin.has(consultationOf(e)) || origin.set(consultationOf(e), { partition, offset: Number(records[i].offset) }));
    const inserted: Array<{ consultation_id: string }> = await manager.query(
      'INSERT INTO keyed_effects (consultation_id, chunk) SELECT unnest($1::uuid[]), $2 ON CONFLICT (consultation_id) DO NOTHING RETURNING consultation_id::text',
      [envelopes.map(consultationOf), chunkNo],
    );
    const fresh = new Set(inserted.map((r) => r.consultation_id));
    return envelopes.filter((e) => fresh.has(consultationOf(e))).map((e) => e.id);
  };
  const inboxRows = async () => (await dataSource.query('SELECT count(*)::int AS n FROM inbox'))[0].n;
  /** An event's outcomes, counted. */
  const tally = (outcomes: Outcome[] = []) => ({
    applied: outcomes.filter((o) => o === 'applied').length,
    duplicate: outcomes.filter((o) => o === 'duplicate').length,
    other: outcomes.filter((o) => o !== 'applied' && o !== 'duplicate'),
  });

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
    // At least the 100 sent records (redeliveries to the consumer may add outcomes).
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

  describe('a batch handler idempotent by its own key, without inbox rows', () => {
    beforeEach(async () => {
      await dataSource.query('TRUNCATE keyed_effects, inbox');
      handedOver.length = 0;
      origin.clear();
    });

    it('applies each effect once through redeliveries and copies in one chunk, tells applied from duplicate, in partition order, and writes no inbox row', async () => {
      const events = Array.from({ length: 300 }, (_, n) => consultation(n));
      const copied = Array.from({ length: 50 }, (_, n) => consultation(n));
      const records = (list: Array<EventEnvelope<object>>) => list.map((e) => ({ key: e.subject, value: JSON.stringify(e) }));
      await probe.produce(physicalTopic(settings, topic), records(events));
      const { outcomes, byEvent } = await startConsumer({ idempotent: recordOnce });
      await eventually(async () => outcomes.length >= 300, { what: `300 outcomes (have ${outcomes.length})`, timeoutMs: 60_000 });
      // The same events again, in later chunks (a replay), and records twice in a row (copies in one chunk).
      await probe.produce(physicalTopic(settings, topic), records(events.slice(0, 100)));
      await probe.produce(physicalTopic(settings, topic), records(copied.flatMap((e) => [e, e])));

      await eventually(async () => outcomes.length >= 500, { what: `500 outcomes (have ${outcomes.length})`, timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 1000));
      const all = [...events, ...copied];
      // Each event applied exactly once; every other delivery of it a duplicate.
      for (const e of all) expect([e.id, byEvent.get(e.id)?.filter((o) => o === 'applied').length]).toEqual([e.id, 1]);
      expect(outcomes.filter((o) => o === 'applied')).toHaveLength(350);
      expect(outcomes.filter((o) => o === 'duplicate').length).toBeGreaterThanOrEqual(150);
      expect(outcomes.filter((o) => o !== 'applied' && o !== 'duplicate')).toEqual([]);
      const rows: Array<{ consultation_id: string }> = await dataSource.query('SELECT consultation_id FROM keyed_effects');
      expect(rows.map((r) => r.consultation_id).sort()).toEqual(all.map((e) => e.subject).sort());
      // Batched, and a record is handed over once per chunk however often it is in it.
      expect(handedOver.length).toBeLessThan(100);
      for (const ids of handedOver) expect(new Set(ids).size).toBe(ids.length);
      expect(await inboxRows()).toBe(0);

      // Within each partition the effects were written in the order of the records' offsets.
      const seqs: Array<{ consultation_id: string; seq: string }> = await dataSource.query('SELECT consultation_id, seq FROM keyed_effects');
      const written = seqs.map((r) => ({ seq: Number(r.seq), ...(origin.get(r.consultation_id) as { partition: number; offset: number }) }));
      for (const partition of new Set(written.map((w) => w.partition))) {
        const inPartition = written.filter((w) => w.partition === partition).sort((a, b) => a.offset - b.offset);
        expect(inPartition.map((w) => w.seq)).toEqual(inPartition.map((w) => w.seq).sort((x, y) => x - y));
      }
    });

    it('a chunk committed before its offsets is delivered again (a crash in between) and changes nothing', async () => {
      const events = Array.from({ length: 120 }, (_, n) => consultation(n));
      // One partition, so that the chunk after the crash is the same records again.
      await probe.produce(physicalTopic(settings, topic), events.map((e) => ({ key: e.subject, value: JSON.stringify(e), partition: 0 })));
      const afterCommit: string[] = [];
      let crashed = false;
      const { outcomes, byEvent } = await startConsumer(
        { idempotent: recordOnce },
        {
          afterCommit: async (envelope) => {
            afterCommit.push(envelope.id);
            if (!crashed && envelope.id === events[10].id) {
              crashed = true;
              throw new Error('simulated crash between the database commit and the offset commit');
            }
          },
        },
      );
      // The chunk was committed but its offsets not: it is delivered again, and the handler finds
      // nothing new in it (the outcomes of its events after the crash died with the crash).
      await eventually(async () => events.every((e) => afterCommit.filter((id) => id === e.id).length >= (e === events[10] ? 2 : 1)), {
        what: 'the chunk delivered again after the crash',
        timeoutMs: 60_000,
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(byEvent.get(events[10].id)).toEqual(['applied', 'duplicate']);
      for (const e of events) {
        const t = tally(byEvent.get(e.id));
        expect([e.id, t.applied <= 1, t.applied + t.duplicate >= 1, t.other]).toEqual([e.id, true, true, []]);
      }
      expect(outcomes.filter((o) => o === 'applied').length).toBeLessThan(120);
      const rows: Array<{ consultation_id: string }> = await dataSource.query('SELECT consultation_id FROM keyed_effects');
      expect(rows.map((r) => r.consultation_id).sort()).toEqual(events.map((e) => e.subject).sort());
      expect(await inboxRows()).toBe(0);
    });

    it('dead-letters a poison event alone; one at a time, the rest are applied or found duplicate by the handler, without inbox rows', async () => {
      const earlier = Array.from({ length: 5 }, (_, n) => consultation(n));
      const records = (list: Array<EventEnvelope<object>>) => list.map((e) => ({ key: e.subject, value: JSON.stringify(e), partition: 0 }));
      await probe.produce(physicalTopic(settings, topic), records(earlier));
      const { byEvent } = await startConsumer({ idempotent: recordOnce });
      await eventually(async () => earlier.every((e) => byEvent.get(e.id)?.includes('applied')), { what: 'the earlier events applied', timeoutMs: 60_000 });

      // One chunk (one partition, one send): a replay of the earlier events, new ones, and a poison event.
      const good = Array.from({ length: 30 }, (_, n) => consultation(n));
      const poisonId = randomUUID();
      const poison = createEnvelope({ type: fixture.type, source: fixture.source, subject: poisonId, data: { ...fixture.data, consultationId: poisonId, performanceCode: '99999' } });
      await probe.produce(physicalTopic(settings, topic), records([...earlier, ...good.slice(0, 15), poison, ...good.slice(15)]));

      const dlq = deadLetterTopicOf(physicalTopic(settings, topic));
      await eventually(async () => probe.on(dlq).length >= 1 && good.every((e) => byEvent.has(e.id)), { what: 'the good events applied and the poison one dead-lettered', timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 500));
      // Dead letters are at-least-once (see above): only the poison event, however often.
      expect(new Set(probe.on(dlq).map((r) => `${r.headers['dlq-reason']}:${r.key}`))).toEqual(new Set([`poison-consultation:${poisonId}`]));
      const poisoned = tally(byEvent.get(poison.id));
      expect([poisoned.applied, poisoned.duplicate, [...new Set(poisoned.other)]]).toEqual([0, 0, ['dead-lettered']]);
      // The good events applied once each; the replayed earlier ones applied once, then duplicates.
      for (const e of good) expect([e.id, tally(byEvent.get(e.id))]).toEqual([e.id, { applied: 1, duplicate: expect.any(Number), other: [] }]);
      for (const e of earlier) {
        const t = tally(byEvent.get(e.id));
        expect([e.id, t.applied, t.duplicate >= 1, t.other]).toEqual([e.id, 1, true, []]);
      }
      // The chunk failed, then each of its events went on its own.
      expect(handedOver.some((ids) => ids.length > 1 && ids.includes(poison.id))).toBe(true);
      expect(handedOver.some((ids) => ids.length === 1 && ids[0] === poison.id)).toBe(true);
      expect(handedOver.some((ids) => ids.length === 1 && ids[0] === earlier[0].id)).toBe(true);
      const applied: Array<{ consultation_id: string }> = await dataSource.query('SELECT consultation_id FROM keyed_effects');
      expect(applied.map((r) => r.consultation_id).sort()).toEqual([...earlier, ...good].map((e) => e.subject).sort());
      expect(await inboxRows()).toBe(0);
    });
  });
});
