import type { LoggerService } from '@nestjs/common';
import { Kafka, Message, Producer } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CLOUDEVENTS_CONTENT_TYPE } from '@draaiboek/contracts';
import { PollingLoop } from '@draaiboek/platform';
import { KafkaSettings, physicalTopic } from '../kafka/kafka-factory';

export interface OutboxRelayOptions {
  /** The fallback poll; commits wake the relay at once through LISTEN/NOTIFY. */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Most batches one pass publishes before it commits its marks (default 8). */
  batchesPerPass?: number;
  /** Crash-window seam for tests: runs after Kafka acknowledged a batch, before rows are marked. */
  afterPublish?: (eventIds: string[]) => Promise<void>;
}

interface PendingRow {
  seq: string;
  event_id: string;
  topic: string;
  message_key: string;
  /** The envelope as Postgres renders the jsonb: sent as it is, never parsed. */
  envelope: string;
  trace_context: Record<string, string> | null;
}

/**
 * Publishes outbox rows in commit order with an idempotent producer (acks=all, one request
 * in flight, so order per key holds). A pg advisory lock makes one replica the publisher.
 * Rows are marked only after Kafka acknowledged them: a crash in between republishes them
 * on restart, and consumers' inboxes absorb the duplicates (at-least-once, effectively once).
 */
export class OutboxRelay {
  private producer?: Producer;
  private listener?: Client;
  private listening = false;
  private readonly loop: PollingLoop;
  private readonly batchSize: number;
  private readonly batchesPerPass: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: KafkaSettings,
    private readonly dataSource: DataSource,
    private readonly logger: LoggerService,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.batchesPerPass = options.batchesPerPass ?? 8;
    this.loop = new PollingLoop(() => this.relayOnce(), {
      intervalMs: options.pollIntervalMs ?? 200,
      // A pass that stopped at its limit left rows behind.
      moreToDo: (published) => published === this.batchSize * this.batchesPerPass,
      onError: (error) => this.logger.error({ msg: 'outbox relay pass failed; will retry', error: error.message }, 'OutboxRelay'),
    });
  }

  async start(): Promise<void> {
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    this.loop.start();
    this.listening = true;
    await this.listen();
  }

  /**
   * LISTEN on the schema's outbox channel (decision 0026): each commit that wrote to the outbox
   * wakes the relay. When the connection drops, the poll carries on and the listener reconnects.
   */
  private async listen(): Promise<void> {
    if (!this.listening) return;
    const options = this.dataSource.options as PostgresConnectionOptions;
    const client = new Client({ connectionString: options.url, application_name: `${this.settings.clientId}-outbox-listener` });
    client.on('notification', () => this.loop.nudge());
    client.on('error', (error) => {
      this.logger.warn({ msg: 'outbox listener lost its connection; polling until it is back', error: error.message }, 'OutboxRelay');
      this.reconnectListener(client);
    });
    client.on('end', () => this.reconnectListener(client));
    try {
      await client.connect();
      await client.query(`LISTEN "draaiboek_outbox_${options.schema ?? 'public'}"`);
      this.listener = client;
      this.loop.nudge(); // rows committed while nobody listened
    } catch (error) {
      this.logger.warn({ msg: 'outbox listener could not connect; polling meanwhile', error: (error as Error).message }, 'OutboxRelay');
      this.reconnectListener(client);
    }
  }

  private readonly lostListeners = new WeakSet<Client>();

  private reconnectListener(client: Client): void {
    if (this.lostListeners.has(client)) return; // 'error' and 'end' both report one loss
    this.lostListeners.add(client);
    if (this.listener === client) this.listener = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.listening) setTimeout(() => void this.listen(), 1000).unref();
  }

  /** Ask for a publish soon, e.g. right after a transaction that wrote to the outbox committed. */
  nudge(): void {
    this.loop.nudge();
  }

  async stop(): Promise<void> {
    this.listening = false;
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      listener.removeAllListeners('end');
      await listener.end().catch(() => undefined);
    }
    await this.loop.stop();
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  /**
   * One pass: publishes batches of pending rows in seq order, up to `batchesPerPass`, and marks
   * them in the same transaction; returns how many rows were published. The database and Kafka
   * work at the same time: while a batch is on its way to the broker, the next one is read, and
   * the one acknowledged before is marked. Sends stay one at a time, in order. A failure anywhere
   * rolls the marks back: the pass's rows are published again (consumers' inboxes absorb that).
   */
  async relayOnce(): Promise<number> {
    const producer = this.producer;
    if (!producer) throw new Error('OutboxRelay is not started');
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [
        `draaiboek:outbox:${this.settings.clientId}`,
      ]);
      if (!locked) return 0;
      // The transaction's one connection takes one statement at a time: each waits for the one
      // before (pg's own queue for this is deprecated).
      let database: Promise<unknown> = Promise.resolve();
      const inTurn = <T>(statement: () => Promise<T>): Promise<T> => {
        const result = database.then(statement);
        database = result.catch(() => undefined);
        return result;
      };
      // Rows after `afterSeq` (a row of a lower seq that commits meanwhile waits for the next pass).
      const pending = (afterSeq: string): Promise<PendingRow[]> =>
        inTurn(() =>
          manager.query(
            `SELECT seq, event_id, topic, message_key, envelope::text AS envelope, trace_context
               FROM outbox WHERE published_at IS NULL AND seq > $1 ORDER BY seq LIMIT $2`,
            [afterSeq, this.batchSize],
          ),
        );
      const marks: Array<Promise<unknown>> = [];
      let published = 0;
      try {
        let rows = await pending('0');
        for (let batch = 1; rows.length > 0; batch++) {
          const sending = producer.sendBatch({ acks: -1, topicMessages: this.toTopicMessages(rows) });
          const more = rows.length === this.batchSize && batch < this.batchesPerPass;
          const next = more ? pending(rows[rows.length - 1].seq) : Promise.resolve([]);
          next.catch(() => undefined); // awaited below, unless the send failed first
          await sending;
          await this.options.afterPublish?.(rows.map((r) => r.event_id));
          const seqs = rows.map((r) => r.seq);
          const mark = inTurn(() => manager.query('UPDATE outbox SET published_at = clock_timestamp() WHERE seq = ANY($1::bigint[])', [seqs]));
          mark.catch(() => undefined);
          marks.push(mark);
          published += rows.length;
          rows = await next;
        }
        await Promise.all(marks);
        return published;
      } finally {
        await database; // nothing left running on the connection when it commits or rolls back
      }
    });
  }

  async pendingCount(): Promise<number> {
    const [{ count }] = await this.dataSource.query('SELECT count(*)::int AS count FROM outbox WHERE published_at IS NULL');
    return count;
  }

  private toTopicMessages(rows: PendingRow[]): Array<{ topic: string; messages: Message[] }> {
    // Group by topic keeping seq order inside each topic; per-key order is per topic.
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const topic = physicalTopic(this.settings, row.topic);
      const list = byTopic.get(topic) ?? [];
      list.push({
        key: row.message_key,
        value: row.envelope,
        // The trace context travels in the headers (W3C names), so the consumer continues the trace.
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE, ...row.trace_context },
      });
      byTopic.set(topic, list);
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }
}
