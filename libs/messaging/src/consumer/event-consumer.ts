import type { LoggerService } from '@nestjs/common';
import { Consumer, EachMessagePayload, IHeaders, Kafka, Producer } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { describeFieldErrors, EventEnvelope, TopicDefinition, validateEnvelope } from '@draaiboek/contracts';
import { isDatabaseUnavailable, runWithCorrelation } from '@draaiboek/platform';
import { KafkaSettings, physicalDeadLetterTopic, physicalTopic } from '../kafka/kafka-factory';
import { PermanentEventError } from './errors';

export interface EventContext {
  /** The transaction the inbox row is written in: write the handler's effects with it. */
  manager: EntityManager;
  topic: string;
  partition: number;
  offset: string;
  attempt: number;
  /** The record as it arrived, for handlers that verify a signature over its bytes. */
  record: { key: Buffer | null; value: Buffer | null; headers: Record<string, string> };
}

export type EventHandler = (envelope: EventEnvelope<object>, context: EventContext) => Promise<void>;

export interface RetryPolicy {
  /** Total attempts for a transient failure, including the first (Postgres being away does not count). */
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export interface EventConsumerOptions {
  settings: KafkaSettings;
  topics: readonly TopicDefinition[];
  /** Event type -> handler. Types on the topics without a handler are skipped. */
  handlers: ReadonlyMap<string, EventHandler>;
  retry?: Partial<RetryPolicy>;
  partitionsConsumedConcurrently?: number;
  /** Crash-window seam for tests: runs after the transaction committed, before Kafka commits the offset. */
  afterCommit?: (envelope: EventEnvelope<object>) => Promise<void>;
}

export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  errorDetail: 'dlq-error',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  attempts: 'dlq-attempts',
  consumerGroup: 'dlq-consumer-group',
  failedAt: 'dlq-failed-at',
} as const;

export type Outcome = 'applied' | 'duplicate' | 'skipped' | 'dead-lettered';

/**
 * The one consumer wrapper. For each record, in order per partition:
 * decode -> validate against the contract -> (inbox row + handler) in one transaction ->
 * bounded retries with backoff for transient errors -> else the dead-letter topic with the
 * reason in headers. The offset is committed after that, so the partition always moves on.
 */
export class EventConsumer {
  private consumer?: Consumer;
  private dlqProducer?: Producer;
  private readonly retry: RetryPolicy;
  private readonly listeners: Array<(outcome: Outcome, envelopeId: string | undefined) => void> = [];
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly logger: LoggerService,
    private readonly options: EventConsumerOptions,
  ) {
    this.retry = { attempts: 3, initialBackoffMs: 200, maxBackoffMs: 5000, ...options.retry };
  }

  /**
   * The service name, within the deployment's topic prefix: two regions (or two test runs) on
   * one cluster must not share a consumer group, or one would be handed the other's partitions.
   */
  get groupId(): string {
    return this.options.settings.topicPrefix + this.options.settings.clientId;
  }

  /** Observe outcomes (metrics, tests). */
  onOutcome(listener: (outcome: Outcome, envelopeId: string | undefined) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    this.dlqProducer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.dlqProducer.connect();
    await this.startConsumer();
  }

  private async startConsumer(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      // A member that died (SIGKILL) holds its partitions until its session expires, and a
      // rebalance waits this long for members that do not rejoin (e.g. one lost in a broker restart).
      sessionTimeout: 10000,
      rebalanceTimeout: 15000,
      heartbeatInterval: 3000,
    });
    // kafkajs restarts itself after errors it deems retriable only; after others (a broker that
    // refused connections for longer than its retries) it stops consuming for good.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopping) void this.restartConsumer(payload.error);
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({
      topics: this.options.topics.map((t) => physicalTopic(this.options.settings, t)),
      fromBeginning: true,
    });
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachMessage: (payload) => this.handle(payload),
    });
  }

  /** A new kafkajs consumer in place of one that gave up, until one runs (or we stop). */
  private async restartConsumer(error: Error): Promise<void> {
    this.logger.error({ msg: 'Kafka consumer stopped after an error; starting a new one', error: error.message }, 'EventConsumer');
    for (let attempt = 1; !this.stopping; attempt++) {
      await sleep(Math.min(5000, 500 * attempt));
      if (this.stopping) return;
      try {
        await this.consumer?.disconnect().catch(() => undefined);
        await this.startConsumer();
        return;
      } catch (e) {
        this.logger.warn({ msg: 'Kafka consumer could not start again; retrying', attempt, error: (e as Error).message }, 'EventConsumer');
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
    await this.dlqProducer?.disconnect();
    this.consumer = undefined;
    this.dlqProducer = undefined;
  }

  private async handle(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const at = { topic, partition, offset: message.offset };

    let decoded: unknown;
    try {
      decoded = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      return this.deadLetter(payload, 'undecodable', 'record value is not JSON', 1);
    }
    const validation = validateEnvelope(decoded);
    if (!validation.ok) {
      return this.deadLetter(payload, validation.reason, describeFieldErrors(validation.errors), 1);
    }
    const envelope = validation.envelope;
    if (message.key && message.key.toString('utf8') !== envelope.subject) {
      return this.deadLetter(payload, 'key-mismatch', 'Kafka key must equal the envelope subject', 1);
    }
    const handler = this.options.handlers.get(envelope.type);
    if (!handler) {
      this.emit('skipped', envelope.id);
      return;
    }

    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await runWithCorrelation(
          { correlationId: envelope.correlationid, causationId: envelope.id },
          () => this.applyOnce(envelope, handler, { ...at, attempt, record: recordOf(message) }),
        );
        this.emit(outcome, envelope.id);
        break;
      } catch (error) {
        const err = error as Error;
        const permanent = err instanceof PermanentEventError;
        if (!permanent && isDatabaseUnavailable(err)) {
          // Not the event's fault: wait for Postgres without using up the attempts. When stopping,
          // give up the record uncommitted: it is redelivered, never half done.
          if (this.stopping) throw err;
          attempt -= 1;
          this.logger.warn({ msg: 'database unavailable; waiting to retry the event', eventId: envelope.id, type: envelope.type, error: err.message }, 'EventConsumer');
          await sleep(Math.min(1000, this.retry.maxBackoffMs));
          await payload.heartbeat();
          continue;
        }
        if (permanent || attempt >= this.retry.attempts) {
          const reason = permanent ? (err as PermanentEventError).reason : 'retries-exhausted';
          return this.deadLetter(payload, reason, err.message, attempt, envelope.id);
        }
        const backoff = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** (attempt - 1));
        this.logger.warn(
          { msg: 'event handling failed; retrying', eventId: envelope.id, type: envelope.type, attempt, backoffMs: backoff, error: err.message, at: err.stack?.split('\n').slice(1, 3).join(' ').trim() },
          'EventConsumer',
        );
        await sleep(backoff);
        await payload.heartbeat();
      }
    }
    await this.options.afterCommit?.(envelope);
  }

  private async applyOnce(
    envelope: EventEnvelope<object>,
    handler: EventHandler,
    at: Omit<EventContext, 'manager'>,
  ): Promise<Outcome> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO inbox (consumer_group, event_id, event_type, topic, partition, kafka_offset)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.groupId, envelope.id, envelope.type, at.topic, at.partition, at.offset],
      );
      if (inserted.length === 0) return 'duplicate';
      await handler(envelope, { manager, ...at });
      return 'applied';
    });
  }

  private async deadLetter(
    payload: EachMessagePayload,
    reason: string,
    detail: string,
    attempts: number,
    envelopeId?: string,
  ): Promise<void> {
    const { topic, partition, message } = payload;
    const logicalTopic = topic.slice(this.options.settings.topicPrefix.length);
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.errorDetail]: detail.slice(0, 4000),
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: String(partition),
      [DLQ_HEADERS.originalOffset]: message.offset,
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.consumerGroup]: this.groupId,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    };
    // If this send fails the error propagates: the offset is not committed and the record is redelivered.
    const producer = this.dlqProducer;
    if (!producer) throw new Error('EventConsumer is not started');
    await producer.send({
      topic: physicalDeadLetterTopic(this.options.settings, logicalTopic),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    this.logger.warn(
      { msg: 'message sent to dead-letter topic', reason, topic, partition, offset: message.offset, attempts, eventId: envelopeId },
      'EventConsumer',
    );
    this.emit('dead-lettered', envelopeId);
  }

  private emit(outcome: Outcome, envelopeId: string | undefined): void {
    for (const listener of this.listeners) listener(outcome, envelopeId);
  }
}

function recordOf(message: EachMessagePayload['message']): EventContext['record'] {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return { key: message.key, value: message.value, headers };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
