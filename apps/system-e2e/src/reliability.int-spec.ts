import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { deadLetterTopicOf, Topics } from '@draaiboek/contracts';
import { DLQ_HEADERS } from '@draaiboek/messaging';
import { createTestSystem, eventually, KafkaProbe, TEST_KEYS, TestSystem } from '@draaiboek/messaging/testing';
import { intakeService, practiceNotificationService } from './all-services';
import { arrivedEvent } from './events';

jest.setTimeout(120_000);

describe('reliability of the event backbone', () => {
  let system: TestSystem;
  let db: Client;
  let probe: KafkaProbe;
  let groupsTopic: string;

  beforeEach(async () => {
    system = await createTestSystem();
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    groupsTopic = system.topic(Topics.refugeeGroups.name);
    probe = new KafkaProbe();
  });

  afterEach(async () => {
    await probe.close();
    await db.end();
    await system.stop();
  });

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${sql}`, params);
    return rows[0].n;
  }

  it('a consumer killed after its database commit and before its offset commit has no second effect on redelivery', async () => {
    const event = arrivedEvent();
    const deliveries: string[] = [];
    let crashed = false;
    // First instance: commits the transaction, then dies before Kafka records the offset.
    const first = await system.start(practiceNotificationService, {
      consumer: {
        afterCommit: async (envelope) => {
          deliveries.push(envelope.id);
          if (!crashed) {
            crashed = true;
            throw new Error('simulated crash between database commit and offset commit');
          }
        },
      },
    });
    await probe.produce(groupsTopic, [{ key: event.subject, value: JSON.stringify(event) }]);
    await eventually(async () => crashed, { what: 'the first instance to commit and crash' });
    await first.close();

    // A new instance in the same consumer group gets the uncommitted record again.
    await system.start(practiceNotificationService, { consumer: { afterCommit: async (e) => void deliveries.push(e.id) } });
    await eventually(async () => deliveries.length >= 2, { what: 'the redelivery' });

    expect(deliveries.every((id) => id === event.id)).toBe(true);
    expect(await count('practice_notification.arrived_groups WHERE group_id = $1', [event.data.groupId])).toBe(1);
    expect(await count('practice_notification.inbox WHERE event_id = $1', [event.id])).toBe(1);
  });

  it('a malformed message lands in <topic>.dlq with the reason while the next valid message is processed', async () => {
    await system.start(practiceNotificationService);
    const dlqTopic = deadLetterTopicOf(groupsTopic);
    await probe.watch([dlqTopic]);
    const key = randomUUID(); // one key: all three records share a partition
    const invalid = arrivedEvent({ groupId: key, headcount: 0 });
    const valid = arrivedEvent({ groupId: key });
    await probe.produce(groupsTopic, [
      { key, value: '{not json' },
      { key, value: JSON.stringify(invalid) },
      { key, value: JSON.stringify(valid) },
    ]);

    await eventually(async () => (await count('practice_notification.arrived_groups WHERE group_id = $1', [key])) === 1, {
      what: 'the valid message after the bad ones',
    });
    const dead = await eventually(async () => (probe.on(dlqTopic).length === 2 ? probe.on(dlqTopic) : undefined), {
      what: 'two records on the dead-letter topic',
    });
    const [first, second] = dead.sort((a, b) => Number(a.headers[DLQ_HEADERS.originalOffset]) - Number(b.headers[DLQ_HEADERS.originalOffset]));
    expect(first.value).toBe('{not json');
    expect(first.headers).toMatchObject({
      [DLQ_HEADERS.reason]: 'undecodable',
      [DLQ_HEADERS.originalTopic]: groupsTopic,
      [DLQ_HEADERS.attempts]: '1',
      [DLQ_HEADERS.consumerGroup]: `${system.topicPrefix}practice-notification`,
    });
    expect(first.headers[DLQ_HEADERS.originalPartition]).toMatch(/^\d+$/);
    expect(second.headers[DLQ_HEADERS.reason]).toBe('invalid-data');
    expect(second.headers[DLQ_HEADERS.errorDetail]).toContain('data.headcount');
    expect(Number(second.headers[DLQ_HEADERS.originalOffset])).toBe(Number(first.headers[DLQ_HEADERS.originalOffset]) + 1);
  });

  it('a handler that keeps failing is retried a bounded number of times, then dead-lettered, and the partition moves on', async () => {
    const stuck = arrivedEvent();
    const next = arrivedEvent({ groupId: randomUUID() });
    await system.start(practiceNotificationService);
    // A row already holding the group's key makes every attempt of the handler fail.
    await db.query(
      `INSERT INTO practice_notification.arrived_groups (group_id, municipality_code, location_id, location_name, pc4, headcount, arrival_date, central_location_advised)
       VALUES ($1, 'GM0106', $2, 'x', '9401', 1, '2026-11-01', false)`,
      [stuck.data.groupId, randomUUID()],
    );
    const dlqTopic = deadLetterTopicOf(groupsTopic);
    await probe.watch([dlqTopic]);
    // Same partition: the stuck event is keyed by its group; force the next one onto it by key choice.
    await probe.produce(groupsTopic, [{ key: stuck.subject, value: JSON.stringify(stuck) }]);
    await probe.produce(groupsTopic, [{ key: next.subject, value: JSON.stringify(next) }]);

    const [dead] = await eventually(async () => (probe.on(dlqTopic).length ? probe.on(dlqTopic) : undefined), { what: 'the dead letter' });
    expect(dead.headers[DLQ_HEADERS.reason]).toBe('retries-exhausted');
    expect(dead.headers[DLQ_HEADERS.attempts]).toBe('3');
    expect(dead.key).toBe(stuck.subject);
    await eventually(async () => (await count('practice_notification.arrived_groups WHERE group_id = $1', [next.data.groupId])) === 1, {
      what: 'the next event to be processed',
    });
    // The failed attempts left nothing behind: no inbox row for the dead-lettered event.
    expect(await count('practice_notification.inbox WHERE event_id = $1', [stuck.id])).toBe(0);
  });

  it('the outbox relay killed after publishing and before marking its rows: after restart nothing is lost and consumers see no second effect', async () => {
    await system.start(practiceNotificationService);
    await probe.watch([groupsTopic]);
    let published = 0;
    const crashing = await system.start(intakeService, {
      relay: {
        afterPublish: async () => {
          published++;
          throw new Error('simulated crash after Kafka acknowledged, before the rows were marked');
        },
      },
    });
    const response = await request(crashing.url)
      .post('/v1/arrivals')
      .set('Authorization', `Bearer ${TEST_KEYS.emmen}`)
      .send({ reference: 'EMM-RELAY-1', municipalityCode: 'GM0114', location: { name: 'AZC Emmen', postcode: '7811AA', kind: 'reception-centre' }, headcount: 12, arrivalDate: '2026-11-22' })
      .expect(202);
    const groupId = response.body.groupId;
    await eventually(async () => published >= 1, { what: 'the first publish' });
    await crashing.close();
    expect(await count('intake.outbox WHERE published_at IS NULL')).toBe(1);

    await system.start(intakeService);
    await eventually(async () => (await count('intake.outbox WHERE published_at IS NULL')) === 0, { what: 'the restarted relay to mark the row' });

    // Kafka holds the event at least twice (at-least-once), with one and the same id...
    const copies = await eventually(async () => {
      const found = probe.on(groupsTopic).filter((r) => r.key === groupId);
      return found.length >= 2 ? found : undefined;
    }, { what: 'the republished event' });
    expect(new Set(copies.map((c) => JSON.parse(c.value!).id)).size).toBe(1);
    // ...and the consumer applied it once.
    await eventually(async () => (await count('practice_notification.arrived_groups WHERE group_id = $1', [groupId])) === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(await count('practice_notification.arrived_groups WHERE group_id = $1', [groupId])).toBe(1);
    expect(await count('practice_notification.inbox')).toBe(1);
  });
});
