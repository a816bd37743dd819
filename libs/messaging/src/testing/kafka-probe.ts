import { randomBytes } from 'node:crypto';
import { Consumer, IHeaders, Kafka, logLevel, Producer } from 'kafkajs';
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

  async produce(topic: string, messages: Array<{ key?: string; value: string; headers?: IHeaders }>): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    await this.producer.send({ topic, acks: -1, messages });
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
