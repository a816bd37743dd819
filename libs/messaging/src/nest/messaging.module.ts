import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  LoggerService,
  Module,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Kafka } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { ALL_TOPICS, EventContract, EventEnvelope } from '@draaiboek/contracts';
import { HealthService } from '@draaiboek/platform';
import { createKafka, KafkaSettings } from '../kafka/kafka-factory';
import { KafkaHealthCheck } from '../kafka/kafka-health';
import { provisionTopics } from '../kafka/provision-topics';
import { OutboxRelay, OutboxRelayOptions } from '../outbox/outbox-relay';
import { OutboxWriter } from '../outbox/outbox-writer';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const MESSAGING_LOGGER = Symbol('MESSAGING_LOGGER');
export const OUTBOX_RELAY_OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');

export interface MessagingModuleOptions {
  settings: KafkaSettings;
  logger: LoggerService;
  relay?: OutboxRelayOptions;
}

/** Creates the registry's topics and starts the outbox relay with the application. */
@Injectable()
export class MessagingLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly relay: OutboxRelay,
    private readonly health: HealthService,
  ) {
    this.kafkaHealth = new KafkaHealthCheck(settings);
  }

  private readonly kafkaHealth: KafkaHealthCheck;

  async onModuleInit(): Promise<void> {
    await provisionTopics(this.kafka, this.settings, ALL_TOPICS);
    this.health.register(this.kafkaHealth);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
  }

  /** Before TypeORM closes its pool (on application shutdown): the relay still needs it for a last pass. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.kafkaHealth.close();
  }
}

export interface Transaction {
  manager: EntityManager;
  /** Adds an event to the outbox in this transaction. */
  publish<T extends object>(contract: EventContract<T>, data: T): Promise<EventEnvelope<T>>;
  /** Adds several events of one contract to the outbox in this transaction, in one statement. */
  publishMany<T extends object>(contract: EventContract<T>, data: readonly T[]): Promise<Array<EventEnvelope<T>>>;
}

/**
 * The one way a command changes state and publishes: state and outbox rows commit together,
 * then the relay is nudged so the event leaves without waiting for the next poll.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
  ) {}

  async run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction((manager) =>
      work({
        manager,
        publish: (contract, data) => this.outbox.append(manager, contract, data),
        publishMany: (contract, data) => this.outbox.appendMany(manager, contract, data),
      }),
    );
    this.relay.nudge();
    return result;
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forService(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: KAFKA_SETTINGS, useValue: options.settings },
        { provide: MESSAGING_LOGGER, useValue: options.logger },
        { provide: KAFKA_CLIENT, useFactory: () => createKafka(options.settings, options.logger) },
        { provide: OutboxWriter, useFactory: () => new OutboxWriter(`/draaiboek/${options.settings.clientId}`) },
        {
          provide: OutboxRelay,
          inject: [KAFKA_CLIENT, getDataSourceToken()],
          useFactory: (kafka: Kafka, dataSource: DataSource) =>
            new OutboxRelay(kafka, options.settings, dataSource, options.logger, options.relay),
        },
        UnitOfWork,
        MessagingLifecycle,
      ],
      exports: [KAFKA_SETTINGS, KAFKA_CLIENT, OutboxWriter, OutboxRelay, UnitOfWork],
    };
  }
}
