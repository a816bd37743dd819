import { createServer, connect, Server, Socket } from 'node:net';
import { Client } from 'pg';
import { deadLetterTopicOf, Topics } from '@draaiboek/contracts';
import { createTestSystem, eventually, KafkaProbe, TestSystem } from '@draaiboek/messaging/testing';
import { practiceNotificationService } from './all-services';
import { arrivedEvent } from './events';

jest.setTimeout(120_000);

/**
 * The service's way to Postgres, which the test can take away: while down, every open connection
 * is cut and new ones are refused (ECONNREFUSED), as when the server is stopped or restarting.
 */
class PostgresLink {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('a consumer while Postgres is away', () => {
  let system: TestSystem;
  let db: Client;
  let probe: KafkaProbe;
  let link: PostgresLink | undefined;

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
    await link?.down();
  });

  it('waits for the database instead of spending its attempts: the event is applied once, not dead-lettered', async () => {
    // (Without the wait, the three attempts go within the outage and the event is dead-lettered.)
    const lines: string[] = [];
    const direct = new URL(system.databaseUrl);
    link = new PostgresLink({ host: direct.hostname, port: Number(direct.port || 5432) });
    await link.up();
    const viaLink = new URL(system.databaseUrl);
    viaLink.port = String(link.port);
    await system.start(practiceNotificationService, { env: { LOG_LEVEL: 'warn', DATABASE_URL: viaLink.toString() }, log: (line) => void lines.push(line) });
    const groupsTopic = system.topic(Topics.refugeeGroups.name);
    const dlqTopic = deadLetterTopicOf(groupsTopic);
    await probe.watch([dlqTopic]);

    // Postgres goes away for the service: its connections are cut and new ones refused.
    await link.down();
    const event = arrivedEvent();
    await probe.produce(groupsTopic, [{ key: event.subject, value: JSON.stringify(event) }]);
    // The consumer meets the outage: it waits (and says so), or it gives the event up.
    await eventually(
      async () => probe.on(dlqTopic).length > 0 || lines.some((l) => l.includes('database unavailable; waiting to retry the event') && l.includes(event.id)),
      { what: 'the consumer to meet the outage' },
    );
    // Longer than the three attempts would take without the wait.
    await new Promise((r) => setTimeout(r, 3000));
    await link.up();

    await eventually(async () => {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM practice_notification.arrived_groups WHERE group_id = $1', [event.data.groupId]);
      return rows[0].n === 1;
    }, { what: 'the event to be applied once Postgres is back' });
    const { rows: inbox } = await db.query('SELECT count(*)::int AS n FROM practice_notification.inbox WHERE event_id = $1', [event.id]);
    expect(inbox[0].n).toBe(1);
    expect(probe.on(dlqTopic)).toEqual([]);
  });
});
