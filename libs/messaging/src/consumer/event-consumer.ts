import type { LoggerService } from '@nestjs/common';
import { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
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

/** What a batch handler receives besides its events: the one transaction they all commit in. */
export interface BatchEventContext {
  manager: EntityManager;
  topic: string;
  partition: number;
  attempt: number;
  /** Where each event came from, in the order of the events (its offset, and the record as it arrived). */
  records: Array<{ offset: string; record: EventContext['record'] }>;
}

/**
 * Applies many events of one type in one transaction (set-based SQL instead of a round trip per
 * event). It is given only events not seen before (the inbox rows were inserted in the same
 * transaction), in partition order. If it throws, each event of the chunk is retried on its own,
 * so one bad event is dead-lettered and the others are applied.
 */
export type BatchEventHandler = (envelopes: Array<EventEnvelope<object>>, context: BatchEventContext) => Promise<void>;

/**
 * A batch handler idempotent by its own key (decision 0033): its events get no inbox rows, so it
 * may be given events it has applied before, and must change nothing for them. It resolves with
 * the ids (envelope.id) of the events it applied; the others count as duplicates. Otherwise it is
 * handled as a BatchEventHandler: chunks in partition order, each record once per chunk, one at a
 * time with retries and dead letters when a chunk fails.
 */
export type IdempotentBatchEventHandler = (envelopes: Array<EventEnvelope<object>>, context: BatchEventContext) => Promise<Iterable<string>>;

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
  /** Event type -> batch handler, for types whose volume calls for set-based writes. */
  batchHandlers?: ReadonlyMap<string, BatchEventHandler>;
  /** Event type -> batch handler idempotent by its own key, whose events get no inbox rows. */
  idempotentBatchHandlers?: ReadonlyMap<string, IdempotentBatchEventHandler>;
  /** Most events applied in one transaction by a batch handler (default 1000). */
  maxBatchSize?: number;
  retry?: Partial<RetryPolicy>;
  partitionsConsumedConcurrently?: number;
  /** Most bytes one fetch brings of one partition (default kafkajs' 1 MiB); a fetch brings at most all assigned partitions' worth. */
  fetchBytesPerPartition?: number;
  /** Crash-window seam for tests: runs after the transaction committed, before Kafka commits the offset. */
  afterCommit?: (envelope: EventEnvelope<object>) => Promise<void>;
}

/** Records decoded between two looks at the chunk being written (see handleBatch). */
const DECODE_SLICE = 100;

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
 * How the events of one type are applied, a chunk or one at a time: after their inbox rows
 * (`inbox`), or not; `apply` resolves with the ids of the events that changed something.
 */
interface ChunkHandler {
  inbox: boolean;
  apply: (envelopes: Array<EventEnvelope<object>>, context: BatchEventContext) => Promise<ReadonlySet<string>>;
}

/** One event in its transaction (after its inbox row when `inbox`): resolves with whether it changed something. */
interface SingleHandler {
  inbox: boolean;
  apply: (envelope: EventEnvelope<object>, context: EventContext) => Promise<boolean>;
}

/**
 * The one consumer wrapper. For each record, in order per partition:
 * decode -> validate against the contract -> (inbox row + handler) in one transaction ->
 * bounded retries with backoff for transient errors -> else the dead-letter topic with the
 * reason in headers. The offset is committed after that, so the partition always moves on.
 * Event types with a batch handler are applied a chunk per transaction (inbox rows and effects
 * together), falling back to one at a time when a chunk fails. A batch handler idempotent by its
 * own key is applied the same way without inbox rows (decision 0033).
 */
export class EventConsumer {
  private consumer?: Consumer;
  private dlqProducer?: Producer;
  private readonly retry: RetryPolicy;
  private readonly chunkHandlers = new Map<string, ChunkHandler>();
  private readonly listeners: Array<(outcome: Outcome, envelopeId: string | undefined) => void> = [];
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly logger: LoggerService,
    private readonly options: EventConsumerOptions,
  ) {
    this.retry = { attempts: 3, initialBackoffMs: 200, maxBackoffMs: 5000, ...options.retry };
    for (const [type, handler] of options.batchHandlers ?? []) {
      this.chunkHandlers.set(type, {
        inbox: true,
        apply: async (envelopes, context) => {
          await handler(envelopes, context);
          return new Set(envelopes.map((e) => e.id));
        },
      });
    }
    for (const [type, handler] of options.idempotentBatchHandlers ?? []) {
      if (this.chunkHandlers.has(type)) throw new Error(`"${type}" has a batch handler with an inbox and one without`);
      this.chunkHandlers.set(type, { inbox: false, apply: async (envelopes, context) => new Set(await handler(envelopes, context)) });
    }
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
      ...(this.options.fetchBytesPerPartition
        ? { maxBytesPerPartition: this.options.fetchBytesPerPartition, maxBytes: Math.max(10485760, this.options.fetchBytesPerPartition * this.options.topics.reduce((n, t) => n + t.partitions, 0)) }
        : {}),
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
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
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

  /**
   * One fetched batch of one partition, in offset order. Consecutive events that have a batch
   * handler are applied together (one transaction per chunk); every other record is handled on
   * its own. An offset is resolved only once its record is applied, skipped or dead-lettered.
   * While a chunk is being written, the next one is decoded and validated: chunks are applied
   * one after the other in offset order, and a record without a batch handler waits for them.
   */
  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const at = { topic: batch.topic, partition: batch.partition };
    const maxChunk = this.options.maxBatchSize ?? 1000;
    let chunk: Array<{ message: KafkaMessage; envelope: EventEnvelope<object> }> = [];
    let chunkHandler: ChunkHandler | undefined;
    let applying: Promise<void> = Promise.resolve();

    const flush = () => {
      if (chunk.length === 0 || !chunkHandler) return;
      const pending = chunk;
      const handler = chunkHandler;
      chunk = [];
      chunkHandler = undefined;
      // After a failure the later chunks are not applied: their offsets stay unresolved and
      // kafkajs hands them over again. The failure surfaces where `applying` is awaited.
      applying = applying.then(() => this.applyChunk(pending, handler, at, payload));
      applying.catch(() => undefined);
    };

    let decoded = 0;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const prepared = this.prepare(message);
      const batchHandler = prepared.kind === 'event' ? this.chunkHandlers.get(prepared.envelope.type) : undefined;
      if (prepared.kind === 'event' && batchHandler) {
        if (chunkHandler !== batchHandler || chunk.length >= maxChunk) flush();
        chunk.push({ message, envelope: prepared.envelope });
        chunkHandler = batchHandler;
        // Let the chunk in flight take its replies and send its next statement.
        if (++decoded % DECODE_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      flush();
      await applying;
      if (prepared.kind === 'dead') {
        await this.deadLetter(at, message, prepared.reason, prepared.detail, 1);
      } else if (prepared.kind === 'event') {
        const handler = this.options.handlers.get(prepared.envelope.type);
        if (handler) await this.applyWithRetries(prepared.envelope, { inbox: true, apply: (e, context) => handler(e, context).then(() => true) }, at, message, payload.heartbeat);
        else this.emit('skipped', prepared.envelope.id);
      }
      payload.resolveOffset(message.offset);
      await payload.heartbeat();
    }
    flush();
    await applying;
    await payload.commitOffsetsIfNecessary();
  }

  /** Decode, validate against the contract, and check the key: an event, or the reason it is dead. */
  private prepare(
    message: KafkaMessage,
  ): { kind: 'event'; envelope: EventEnvelope<object> } | { kind: 'dead'; reason: string; detail: string } {
    let decoded: unknown;
    try {
      decoded = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      return { kind: 'dead', reason: 'undecodable', detail: 'record value is not JSON' };
    }
    const validation = validateEnvelope(decoded);
    if (!validation.ok) return { kind: 'dead', reason: validation.reason, detail: describeFieldErrors(validation.errors) };
    const envelope = validation.envelope;
    if (message.key && message.key.toString('utf8') !== envelope.subject) {
      return { kind: 'dead', reason: 'key-mismatch', detail: 'Kafka key must equal the envelope subject' };
    }
    return { kind: 'event', envelope };
  }

  /** A chunk in one transaction; if that fails, each of its events on its own, with retries and dead letters. */
  private async applyChunk(
    chunk: Array<{ message: KafkaMessage; envelope: EventEnvelope<object> }>,
    handler: ChunkHandler,
    at: { topic: string; partition: number },
    payload: EachBatchPayload,
  ): Promise<void> {
    let applied: Set<string> | undefined;
    try {
      applied = await this.dataSource.transaction(async (manager) => {
        let fresh: Set<string> | undefined;
        if (handler.inbox) {
          const inserted: Array<{ event_id: string }> = await manager.query(
            `INSERT INTO inbox (consumer_group, event_id, event_type, topic, partition, kafka_offset)
             SELECT $1, e.id, e.type, $2, $3, e.kafka_offset FROM unnest($4::text[], $5::text[], $6::bigint[]) AS e(id, type, kafka_offset)
             ON CONFLICT DO NOTHING RETURNING event_id`,
            [this.groupId, at.topic, at.partition, chunk.map((c) => c.envelope.id), chunk.map((c) => c.envelope.type), chunk.map((c) => c.message.offset)],
          );
          fresh = new Set(inserted.map((r) => r.event_id));
        }
        // A record can be in the chunk twice (a producer retry): only its first copy is handed over.
        const firsts = new Set<string>();
        const picked = chunk.filter((c) => (!fresh || fresh.has(c.envelope.id)) && firsts.size < firsts.add(c.envelope.id).size);
        if (picked.length === 0) return firsts;
        const records = picked.map((c) => ({ offset: c.message.offset, record: recordOf(c.message) }));
        const changed = await handler.apply(picked.map((c) => c.envelope), { manager, ...at, attempt: 1, records });
        return new Set([...firsts].filter((id) => changed.has(id)));
      });
    } catch (error) {
      this.logger.warn(
        { msg: 'batch handling failed; applying its events one by one', topic: at.topic, partition: at.partition, events: chunk.length, error: (error as Error).message },
        'EventConsumer',
      );
    }
    if (applied) {
      const afterCommit = this.options.afterCommit;
      for (const c of chunk) {
        const first = applied.delete(c.envelope.id);
        this.emit(first ? 'applied' : 'duplicate', c.envelope.id);
        if (afterCommit) await afterCommit(c.envelope); // (no await per event without the seam)
      }
      payload.resolveOffset(chunk[chunk.length - 1].message.offset);
      await payload.heartbeat();
      return;
    }
    const single: SingleHandler = {
      inbox: handler.inbox,
      apply: async (envelope, context) => {
        const records = [{ offset: context.offset, record: context.record }];
        const changed = await handler.apply([envelope], { manager: context.manager, topic: context.topic, partition: context.partition, attempt: context.attempt, records });
        return changed.has(envelope.id);
      },
    };
    for (const c of chunk) {
      await this.applyWithRetries(c.envelope, single, at, c.message, payload.heartbeat);
      payload.resolveOffset(c.message.offset);
      await payload.heartbeat();
    }
  }

  private async applyWithRetries(
    envelope: EventEnvelope<object>,
    handler: SingleHandler,
    at: { topic: string; partition: number },
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await runWithCorrelation(
          { correlationId: envelope.correlationid, causationId: envelope.id },
          () => this.applyOnce(envelope, handler, { ...at, offset: message.offset, attempt, record: recordOf(message) }),
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
          await heartbeat();
          continue;
        }
        if (permanent || attempt >= this.retry.attempts) {
          const reason = permanent ? (err as PermanentEventError).reason : 'retries-exhausted';
          return this.deadLetter(at, message, reason, err.message, attempt, envelope.id);
        }
        const backoff = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** (attempt - 1));
        this.logger.warn(
          { msg: 'event handling failed; retrying', eventId: envelope.id, type: envelope.type, attempt, backoffMs: backoff, error: err.message, at: err.stack?.split('\n').slice(1, 3).join(' ').trim() },
          'EventConsumer',
        );
        await sleep(backoff);
        await heartbeat();
      }
    }
    await this.options.afterCommit?.(envelope);
  }

  private async applyOnce(
    envelope: EventEnvelope<object>,
    handler: SingleHandler,
    at: Omit<EventContext, 'manager'>,
  ): Promise<Outcome> {
    return this.dataSource.transaction(async (manager) => {
      if (handler.inbox) {
        const inserted: unknown[] = await manager.query(
          `INSERT INTO inbox (consumer_group, event_id, event_type, topic, partition, kafka_offset)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING event_id`,
          [this.groupId, envelope.id, envelope.type, at.topic, at.partition, at.offset],
        );
        if (inserted.length === 0) return 'duplicate';
      }
      return (await handler.apply(envelope, { manager, ...at })) ? 'applied' : 'duplicate';
    });
  }

  private async deadLetter(
    at: { topic: string; partition: number },
    message: KafkaMessage,
    reason: string,
    detail: string,
    attempts: number,
    envelopeId?: string,
  ): Promise<void> {
    const { topic, partition } = at;
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

function recordOf(message: KafkaMessage): EventContext['record'] {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return { key: message.key, value: message.value, headers };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
