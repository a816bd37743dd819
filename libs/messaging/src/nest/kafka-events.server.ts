import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { LoggerService } from '@nestjs/common';
import { contractForType, EventEnvelope, TopicDefinition } from '@draaiboek/contracts';
import { inBatchSpan, inSpan, SpanKind } from '@draaiboek/platform';
import { BatchEventContext, BatchEventHandler, EventConsumer, EventConsumerOptions, EventContext, EventHandler, IdempotentBatchEventHandler } from '../consumer/event-consumer';
import { KafkaSettings } from '../kafka/kafka-factory';
import { OutboxWriter } from '../outbox/outbox-writer';
import { Transaction } from './messaging.module';

/** What an `@EventPattern` handler receives as its context: the inbox transaction, ready to publish in. */
export type HandlerContext = EventContext & Transaction;

/** What an `@EventPattern(type, BATCH)` handler receives besides the array of events. */
export type BatchHandlerContext = BatchEventContext;

/**
 * Marks an `@EventPattern` handler as a batch handler: `@EventPattern(Contract.v1.type, BATCH)`.
 * It receives an array of envelopes, all new to this service, to apply in one transaction.
 */
export const BATCH = { batch: true } as const;

/**
 * Marks a batch handler that is idempotent by its own key (decision 0033):
 * `@EventPattern(Contract.v1.type, BATCH_IDEMPOTENT)`. Its events get no inbox rows, so it may be
 * given events it applied before and must change nothing for them; it resolves with the ids
 * (`envelope.id`) of the events it applied, the others count as duplicates.
 */
export const BATCH_IDEMPOTENT = { batch: true, inbox: false } as const;

export interface KafkaEventsServerOptions {
  kafka: Kafka;
  settings: KafkaSettings;
  dataSource: DataSource;
  logger: LoggerService;
  outbox: OutboxWriter;
  retry?: EventConsumerOptions['retry'];
  afterCommit?: EventConsumerOptions['afterCommit'];
  partitionsConsumedConcurrently?: number;
  fetchBytesPerPartition?: number;
  maxBatchSize?: number;
}

/**
 * A Nest microservice transport over the one consumer wrapper. Handlers are ordinary
 * `@EventPattern(Contract.v1.type)` methods receiving `(envelope, context)`; their topics
 * follow from the contracts they handle. Events only: no request/reply over Kafka.
 */
export class KafkaEventsServer extends Server implements CustomTransportStrategy {
  private consumer?: EventConsumer;
  private readonly subscriptions = { topics: [] as TopicDefinition[], eventTypes: [] as string[] };

  constructor(private readonly options: KafkaEventsServerOptions) {
    super();
  }

  get eventConsumer(): EventConsumer | undefined {
    return this.consumer;
  }

  /** The registry topics the service subscribes to and the event types it handles (known once listening). */
  get subscribed(): { topics: readonly TopicDefinition[]; eventTypes: readonly string[] } {
    return this.subscriptions;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const handlers = new Map<string, EventHandler>();
      const batchHandlers = new Map<string, BatchEventHandler>();
      const idempotentBatchHandlers = new Map<string, IdempotentBatchEventHandler>();
      const topics = new Map<string, TopicDefinition>();
      for (const [pattern, handler] of this.getHandlers()) {
        const contract = contractForType(pattern);
        if (!contract) throw new Error(`@EventPattern("${pattern}") names no event in the contracts catalog`);
        if (!handler.isEventHandler) throw new Error(`"${pattern}": request/reply over Kafka is not supported; use @EventPattern`);
        topics.set(contract.topic.name, contract.topic);
        if (handler.extras?.batch === true) {
          const inbox = handler.extras.inbox !== false;
          const batchHandler = async (envelopes: Array<EventEnvelope<object>>, context: BatchEventContext): Promise<unknown> =>
            // One consumer span per chunk (per attempt): the child of its event's producer span when
            // it holds one event, else linked to each event's producer span.
            inBatchSpan(
              this.options.settings.clientId,
              `process ${contract.topic.name}`,
              {
                kind: SpanKind.CONSUMER,
                attributes: { ...processAttributes(context, pattern), 'messaging.batch.message_count': envelopes.length },
                messages: envelopes.map((envelope, i) => ({
                  headers: context.records[i].record.headers,
                  attributes: { 'messaging.message.id': envelope.id, 'messaging.kafka.offset': Number(context.records[i].offset) },
                })),
              },
              async () => {
                const result = await handler(envelopes, context);
                return lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
              },
            );
          if (inbox) {
            batchHandlers.set(pattern, async (envelopes, context) => void (await batchHandler(envelopes, context)));
          } else {
            idempotentBatchHandlers.set(pattern, async (envelopes, context) => {
              const applied = await batchHandler(envelopes, context);
              if (!Array.isArray(applied)) throw new Error(`@EventPattern("${pattern}", BATCH_IDEMPOTENT) must resolve with the ids of the events it applied`);
              return applied as string[];
            });
          }
          continue;
        }
        handlers.set(pattern, async (envelope: EventEnvelope<object>, context: EventContext) => {
          const handlerContext: HandlerContext = {
            ...context,
            publish: (contract, data) => this.options.outbox.append(context.manager, contract, data),
            publishMany: (contract, data) => this.options.outbox.appendMany(context.manager, contract, data),
          };
          // One consumer span per attempt, continuing the producer's trace from the record's headers.
          await inSpan(
            this.options.settings.clientId,
            `process ${contract.topic.name}`,
            {
              kind: SpanKind.CONSUMER,
              parentHeaders: context.record.headers,
              attributes: { ...processAttributes(context, envelope.type), 'messaging.kafka.offset': Number(context.offset), 'messaging.message.id': envelope.id },
            },
            async () => {
              const result = await handler(envelope, handlerContext);
              await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
            },
          );
        });
      }
      this.subscriptions.topics = [...topics.values()];
      this.subscriptions.eventTypes = [...handlers.keys(), ...batchHandlers.keys(), ...idempotentBatchHandlers.keys()];
      if (this.subscriptions.eventTypes.length === 0) return callback();
      this.consumer = new EventConsumer(this.options.kafka, this.options.dataSource, this.options.logger, {
        settings: this.options.settings,
        topics: [...topics.values()],
        handlers,
        batchHandlers,
        idempotentBatchHandlers,
        retry: this.options.retry,
        afterCommit: this.options.afterCommit,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        fetchBytesPerPartition: this.options.fetchBytesPerPartition,
        maxBatchSize: this.options.maxBatchSize,
      });
      await this.consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  on(): never {
    throw new Error('KafkaEventsServer does not expose transport events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

/** The attributes of every consumer span (OpenTelemetry's messaging conventions), one event's or a chunk's. */
function processAttributes(at: { topic: string; partition: number; attempt: number }, eventType: string): Record<string, string | number> {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': at.topic,
    'messaging.destination.partition.id': String(at.partition),
    'cloudevents.event_type': eventType,
    'draaiboek.attempt': at.attempt,
  };
}
