import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RefugeeGroupArrived, RefugeeGroupArrivedV1 } from '@draaiboek/contracts';
import { JsonLogger, migrateServiceDatabase, serviceDataSourceOptions } from '@draaiboek/platform';
import { createKafka, KafkaSettings, physicalTopic } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/provision-topics';
import { MessagingTables1763856000000 } from '../messaging-tables.migration';
import { MessagingOutboxNotify1764200000000 } from '../outbox-notify.migration';
import { InboxRecord } from '../inbox/inbox-record.orm-entity';
import { OutboxRecord } from './outbox-record.orm-entity';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';
import { createTestDatabase, eventually, testKafkaBrokers } from '../testing/test-database';
import { KafkaProbe } from '../testing/kafka-probe';
import { loadContractFixture } from '../testing/fixtures';

jest.setTimeout(120_000);

/**
 * The relay wakes on commit (LISTEN/NOTIFY), not on its poll: an event written by another
 * process (an event handler, another replica) leaves at once, also after the listening
 * connection was lost and came back.
 */
describe('outbox relay wake-up on commit', () => {
  const fixture = loadContractFixture(RefugeeGroupArrived.v1);
  const POLL_MS = 600_000; // far longer than any wait below: only a notification can explain a prompt publish
  let database: { url: string; drop: () => Promise<void> };
  let relaySource: DataSource;
  let writerSource: DataSource;
  let relay: OutboxRelay;
  let probe: KafkaProbe;
  let settings: KafkaSettings;
  const writer = new OutboxWriter('/draaiboek/test');

  const dataSource = () =>
    new DataSource(
      serviceDataSourceOptions({
        url: database.url,
        schema: 'wakeup',
        entities: [InboxRecord, OutboxRecord],
        migrations: [MessagingTables1763856000000, MessagingOutboxNotify1764200000000],
      }),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    relaySource = dataSource();
    await relaySource.initialize();
    await migrateServiceDatabase(relaySource, 'wakeup');
    writerSource = dataSource(); // "another process": its own pool, no nudge reaches the relay
    await writerSource.initialize();
    settings = { clientId: 'wakeup-test', brokers: testKafkaBrokers().split(','), topicPrefix: `w${randomBytes(4).toString('hex')}.` };
    const kafka = createKafka(settings);
    await provisionTopics(kafka, settings, [RefugeeGroupArrived.v1.topic]);
    probe = new KafkaProbe();
    await probe.watch([physicalTopic(settings, RefugeeGroupArrived.v1.topic)]);
    relay = new OutboxRelay(kafka, settings, relaySource, new JsonLogger('wakeup-test', 'error', () => undefined), { pollIntervalMs: POLL_MS });
    await relay.start();
  });

  afterAll(async () => {
    await relay.stop();
    await probe.close();
    await writerSource.destroy();
    await relaySource.destroy();
    await database.drop();
  });

  async function writeEvent(reference: string): Promise<string> {
    const data: RefugeeGroupArrivedV1 = { ...(fixture.data as RefugeeGroupArrivedV1), reference };
    const envelope = await writerSource.transaction((manager) => writer.append(manager, RefugeeGroupArrived.v1, data));
    return envelope.id;
  }

  const published = (id: string) => async () => probe.on(physicalTopic(settings, RefugeeGroupArrived.v1.topic)).some((r) => r.value?.includes(id));

  it('publishes an event committed by another connection within seconds, with the poll ten minutes away', async () => {
    await new Promise((r) => setTimeout(r, 500)); // the first pass (at start) is over
    const id = await writeEvent('wake-1');
    await eventually(published(id), { what: 'the event on Kafka', timeoutMs: 15_000 });
  });

  it('listens again after its connection is killed, and publishes what was committed meanwhile', async () => {
    await writerSource.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wakeup-test-outbox-listener'`);
    const id = await writeEvent('wake-2');
    await eventually(published(id), { what: 'the event written while the listener was down', timeoutMs: 15_000 });
    await eventually(async () => (await writerSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'wakeup-test-outbox-listener'`))[0].n === 1, {
      what: 'the listener back',
      timeoutMs: 15_000,
    });
    const later = await writeEvent('wake-3');
    await eventually(published(later), { what: 'an event after the listener came back', timeoutMs: 15_000 });
  });
});
