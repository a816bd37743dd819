import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RefugeeGroupArrived, RefugeeGroupArrivedV1 } from '@draaiboek/contracts';
import { JsonLogger, migrateServiceDatabase, serviceDataSourceOptions } from '@draaiboek/platform';
import { createKafka, KafkaSettings, physicalTopic } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/provision-topics';
import { MESSAGING_MIGRATIONS } from '../messaging-migrations';
import { InboxRecord } from '../inbox/inbox-record.orm-entity';
import { OutboxRecord } from './outbox-record.orm-entity';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';
import { createTestDatabase, eventually, testKafkaBrokers } from '../testing/test-database';
import { KafkaProbe } from '../testing/kafka-probe';
import { loadContractFixture } from '../testing/fixtures';

jest.setTimeout(120_000);

/**
 * A relay pass publishes several batches, reading the next from Postgres while Kafka has the one
 * before: on real Kafka and Postgres, it keeps the outbox's order, stops at its limit, and a
 * failure part-way through a pass publishes the pass's rows again rather than losing any.
 */
describe('outbox relay passes', () => {
  const fixture = loadContractFixture(RefugeeGroupArrived.v1);
  const BATCH = 10;
  const PER_PASS = 3;
  let database: { url: string; drop: () => Promise<void> };
  let source: DataSource;
  let probe: KafkaProbe;
  let settings: KafkaSettings;
  const writer = new OutboxWriter('/draaiboek/test');
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    source = new DataSource(
      serviceDataSourceOptions({ url: database.url, schema: 'passes', entities: [InboxRecord, OutboxRecord], migrations: MESSAGING_MIGRATIONS }),
    );
    await source.initialize();
    await migrateServiceDatabase(source, 'passes');
    settings = { clientId: 'passes-test', brokers: testKafkaBrokers().split(','), topicPrefix: `p${randomBytes(4).toString('hex')}.` };
    await provisionTopics(createKafka(settings), settings, [RefugeeGroupArrived.v1.topic]);
    probe = new KafkaProbe();
    await probe.watch([physicalTopic(settings, RefugeeGroupArrived.v1.topic)]);
  });

  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
  });

  afterAll(async () => {
    await probe.close();
    await source.destroy();
    await database.drop();
  });

  /** `count` events of one group (one key, so one partition: Kafka keeps their order), written in one transaction. */
  async function writeEvents(count: number, label: string): Promise<string[]> {
    const groupId = (fixture.data as RefugeeGroupArrivedV1).groupId.slice(0, -4) + randomBytes(2).toString('hex');
    const data = Array.from({ length: count }, (_, i): RefugeeGroupArrivedV1 => ({ ...(fixture.data as RefugeeGroupArrivedV1), groupId, reference: `${label}-${i}` }));
    const envelopes = await source.transaction((manager) => writer.appendMany(manager, RefugeeGroupArrived.v1, data));
    return envelopes.map((e) => e.id);
  }

  /** Event ids on Kafka for `ids`' key, in the order they are in their partition (repeats included). */
  function onKafka(ids: string[]): string[] {
    const wanted = new Set(ids);
    return probe
      .on(physicalTopic(settings, RefugeeGroupArrived.v1.topic))
      .map((r) => (JSON.parse(r.value ?? '{}') as { id?: string }).id ?? '')
      .filter((id) => wanted.has(id));
  }

  function startRelay(afterPublish?: (ids: string[]) => Promise<void>): { relay: OutboxRelay; passes: number[] } {
    const relay = new OutboxRelay(createKafka(settings), settings, source, new JsonLogger('passes-test', 'error', () => undefined), {
      pollIntervalMs: 600_000,
      batchSize: BATCH,
      batchesPerPass: PER_PASS,
      afterPublish,
    });
    const passes: number[] = [];
    const relayOnce = relay.relayOnce.bind(relay);
    relay.relayOnce = async () => {
      const published = await relayOnce();
      passes.push(published);
      return published;
    };
    relays.push(relay);
    return { relay, passes };
  }

  it('publishes up to its limit of batches per pass, in outbox order, each event once, as valid JSON envelopes', async () => {
    const ids = await writeEvents(95, 'order');
    const { relay, passes } = startRelay();
    await relay.start();
    await eventually(async () => onKafka(ids).length >= ids.length, { what: 'all 95 events on Kafka', timeoutMs: 30_000 });
    await eventually(async () => (await relay.pendingCount()) === 0, { what: 'every row marked', timeoutMs: 10_000 });

    expect(onKafka(ids)).toEqual(ids);
    // 95 rows, batches of 10, three batches a pass: 30, 30, 30, then the last 5.
    expect(passes.filter((n) => n > 0)).toEqual([30, 30, 30, 5]);
    const record = probe.on(physicalTopic(settings, RefugeeGroupArrived.v1.topic)).find((r) => r.value?.includes(ids[0]));
    const envelope = JSON.parse(record?.value ?? '{}');
    expect(envelope).toMatchObject({ id: ids[0], type: RefugeeGroupArrived.v1.type, data: { reference: 'order-0' } });
    expect(record?.key).toBe(envelope.subject);
  });

  it('publishes a pass again when it fails after some of its batches were sent, and loses nothing', async () => {
    const ids = await writeEvents(25, 'fail');
    let batches = 0;
    const { relay, passes } = startRelay(async () => {
      batches += 1;
      // The second batch of the first pass: Kafka has it, but it is never marked.
      if (batches === 2) throw new Error('relay crashed between publishing and marking');
    });
    await relay.start();
    await eventually(async () => (await relay.pendingCount()) === 0, { what: 'every row marked after the retry', timeoutMs: 30_000 });
    // Marked means Kafka has them; the probe, a consumer, may still be fetching the last ones.
    await eventually(async () => onKafka(ids).length >= 45, { what: 'both passes on Kafka', timeoutMs: 30_000 });

    const seen = onKafka(ids);
    // First pass: batches 1 and 2 sent, then the failure rolls back the mark of batch 1 too.
    // The next pass sends all 25 again, in order.
    expect(seen).toEqual([...ids.slice(0, 20), ...ids]);
    expect(passes.filter((n) => n > 0)).toEqual([25]);
  });
});
