import { randomBytes } from 'node:crypto';
import { Admin, AssignerProtocol, Consumer, IHeaders, Kafka, logLevel, Producer } from 'kafkajs';
import { testKafkaBrokers } from './test-database';

export interface ProbedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * A raw Kafka client for tests: publish arbitrary bytes (malformed messages included) and
 * record everything that lands on a set of topics.
 */
export class KafkaProbe {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private consumer?: Consumer;
  readonly records: ProbedRecord[] = [];

  constructor() {
    this.kafka = new Kafka({ clientId: 'test-probe', brokers: testKafkaBrokers().split(','), logLevel: logLevel.NOTHING });
  }

  /** Resolves with where each record landed. Values may be any bytes, malformed ones included. */
  async produce(topic: string, messages: Array<{ key?: string; value: string | Buffer; headers?: IHeaders; partition?: number }>): Promise<Array<{ partition: number; baseOffset: string }>> {
    if (!this.producer) {
      // Idempotent: a send retried under load (a request that timed out but landed) must not put a
      // record on the topic twice, or tests that count records and dead letters see ghosts.
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
      await this.producer.connect();
    }
    const sent = await this.producer.send({ topic, acks: -1, messages });
    return sent.map((r) => ({ partition: r.partition, baseOffset: r.baseOffset ?? '-1' }));
  }

  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** The topics the members of each consumer group subscribe to, as the group coordinator knows them. */
  async subscriptionsOf(groupIds: string[]): Promise<Map<string, string[]>> {
    return this.withAdmin(async (admin) => {
      const { groups } = await admin.describeGroups(groupIds);
      return new Map(
        groups.map((g) => [g.groupId, [...new Set(g.members.flatMap((m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []))].sort()]),
      );
    });
  }

  /** The offset a consumer group committed on a partition (the next it will read), -1 when none. */
  async committedOffset(groupId: string, topic: string, partition: number): Promise<number> {
    return this.withAdmin(async (admin) => {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Number(entry?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
    });
  }

  /**
   * Whether a consumer group has committed every record on `topic` so far: on each partition,
   * its committed offset is the partition's end. For "this was consumed" when nothing else shows it.
   */
  async caughtUp(groupId: string, topic: string): Promise<boolean> {
    return this.withAdmin(async (admin) => {
      const ends = await admin.fetchTopicOffsets(topic);
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      return ends.every((end) => Number(end.high) === Number(end.low) || (committed.get(end.partition) ?? -1) >= Number(end.high));
    });
  }

  /** Starts recording every record on `topics`, from the beginning. Resolves once subscribed and running. */
  async watch(topics: string[]): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: `test-probe-${randomBytes(4).toString('hex')}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = v === undefined ? '' : String(v);
        this.records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? null,
          headers,
        });
      },
    });
  }

  on(topic: string): ProbedRecord[] {
    return this.records.filter((r) => r.topic === topic);
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
