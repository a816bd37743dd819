import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createEnvelope, deadLetterTopicOf, EventEnvelope, RefugeeGroupArrived, RefugeeGroupArrivedV1, Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, TestSystem } from '@draaiboek/messaging/testing';
import { practiceNotificationService } from './all-services';

jest.setTimeout(120_000);

function arrivedEvent(): EventEnvelope<RefugeeGroupArrivedV1> {
  const groupId = randomUUID();
  return createEnvelope({
    type: RefugeeGroupArrived.v1.type,
    source: '/draaiboek/intake',
    subject: groupId,
    data: {
      groupId,
      municipalityCode: 'GM0106',
      reference: `ASN-${groupId.slice(0, 8)}`,
      location: { locationId: randomUUID(), name: 'Opvang Assen', postcode: '9401 AB', pc4: '9401', kind: 'reception-centre' },
      headcount: 30,
      arrivalDate: '2026-11-21',
    },
  });
}

describe('a consumer while Postgres is away', () => {
  let system: TestSystem;
  let db: Client;
  let probe: KafkaProbe;

  beforeEach(async () => {
    system = await createTestSystem();
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    probe = new KafkaProbe();
  });

  afterEach(async () => {
    await probe.close();
    await db.end();
    await system.stop();
  });

  it('waits for the database instead of spending its attempts: the event is applied once, not dead-lettered', async () => {
    // (Without the wait, the three attempts go within the outage and the event is dead-lettered.)
    const lines: string[] = [];
    // Three attempts 50-200 ms apart: without the wait, an outage of a second would dead-letter the event.
    await system.start(practiceNotificationService, { env: { LOG_LEVEL: 'warn' }, log: (line) => void lines.push(line) });
    const groupsTopic = system.topic(Topics.refugeeGroups.name);
    const dlqTopic = deadLetterTopicOf(groupsTopic);
    await probe.watch([dlqTopic]);

    // The database "goes away" for the service: every one of its connections is cut, again and
    // again (what a restart does to them: 57P01 admin_shutdown, then refused reconnections).
    let outage = true;
    let cut = 0;
    const cutter = (async () => {
      while (outage) {
        const { rowCount } = await db.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        cut += rowCount ?? 0;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const event = arrivedEvent();
    await probe.produce(groupsTopic, [{ key: event.subject, value: JSON.stringify(event) }]);
    // The consumer meets the outage: it waits (and says so), or it gives the event up.
    await eventually(
      async () => probe.on(dlqTopic).length > 0 || lines.some((l) => l.includes('database unavailable; waiting to retry the event') && l.includes(event.id)),
      { what: 'the consumer to meet the outage' },
    );
    await new Promise((r) => setTimeout(r, 1500));
    outage = false;
    await cutter;
    expect(cut).toBeGreaterThan(0);

    await eventually(async () => {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM practice_notification.arrived_groups WHERE group_id = $1', [event.data.groupId]);
      return rows[0].n === 1;
    }, { what: 'the event to be applied once Postgres is back' });
    const { rows: inbox } = await db.query('SELECT count(*)::int AS n FROM practice_notification.inbox WHERE event_id = $1', [event.id]);
    expect(inbox[0].n).toBe(1);
    expect(probe.on(dlqTopic)).toEqual([]);
  });
});
