import { DynamicModule, INestApplication, LoggerService, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { ALL_TOPICS, TopicDefinition } from '@draaiboek/contracts';
import {
  AuditLog1764300000000,
  AuditPatientSets1764800000000,
  createServiceApp,
  flushTracing,
  HealthService,
  initTracing,
  JsonLogger,
  keepPoolErrorsHandled,
  loadConfig,
  migrateServiceDatabase,
  PlatformModule,
  PostgresHealthCheck,
  ServiceConfig,
  serviceDataSourceOptions,
  ServiceMetrics,
} from '@draaiboek/platform';
import { EventConsumer, EventConsumerOptions } from '../consumer/event-consumer';
import { createKafka, kafkaSecurityFrom, KafkaSettings, parseBrokers } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/provision-topics';
import { MESSAGING_MIGRATIONS } from '../messaging-migrations';
import { registerMessagingMetrics } from '../observability/messaging-metrics';
import { OutboxRelayOptions } from '../outbox/outbox-relay';
import { OutboxWriter } from '../outbox/outbox-writer';
import { InboxRecord } from '../inbox/inbox-record.orm-entity';
import { OutboxRecord } from '../outbox/outbox-record.orm-entity';
import { KafkaEventsServer } from './kafka-events.server';
import { KAFKA_CLIENT, MessagingModule } from './messaging.module';

/** What makes a Draaiboek service; everything else about starting one is shared. */
export interface ServiceDefinition<C extends ServiceConfig> {
  name: string;
  description: string;
  /** The Postgres schema the service owns. */
  schema: string;
  defaultPort: number;
  configClass: new () => C;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  /** The service's feature modules, given its validated config. */
  modules: (config: C) => Array<Type<unknown> | DynamicModule>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  host?: string;
  port?: number;
  relay?: OutboxRelayOptions;
  consumer?: Pick<EventConsumerOptions, 'retry' | 'afterCommit'>;
  log?: (line: string) => void;
}

export interface RunningService<C extends ServiceConfig> {
  name: string;
  app: INestApplication;
  config: C;
  /** Base URL of the HTTP API. */
  url: string;
  dataSource: DataSource;
  /** The Kafka consumer, when the service handles events. */
  consumer?: EventConsumer;
  /** The registry topics the service consumes and the event types it handles. */
  subscriptions: { topics: readonly TopicDefinition[]; eventTypes: readonly string[] };
  close(): Promise<void>;
}

/**
 * Starts a service: validate config, migrate its schema, build the Nest app with the shared
 * platform and messaging modules, attach the Kafka event transport, listen on HTTP.
 */
export async function startService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  options: StartOptions = {},
): Promise<RunningService<C>> {
  const config = loadConfig(definition.name, definition.configClass, options.env ?? process.env);
  const logger = new JsonLogger(definition.name, config.LOG_LEVEL, options.log);
  initTracing({ service: definition.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const settings = kafkaSettingsOf(definition, config);
  const dataSourceOptions = dataSourceOptionsOf(definition, config);
  await migrate(definition, config, logger);

  @Module({})
  class ServiceRootModule {}
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [
      PlatformModule.forService(definition.name, config),
      TypeOrmModule.forRoot({ ...dataSourceOptions, retryAttempts: 3, retryDelay: 1000 }),
      MessagingModule.forService({ settings, logger, relay: options.relay }),
      ...definition.modules(config),
    ],
  };

  const app = await createServiceApp(root, {
    service: definition.name,
    description: definition.description,
    logger,
    rateLimits: { publicPerMinute: config.HTTP_PUBLIC_RATE_LIMIT, authFailuresPerMinute: config.HTTP_AUTH_FAILURE_LIMIT },
    trustProxy: config.HTTP_TRUST_PROXY,
  });
  // Module init provisions the registry's topics: it must finish before the consumer subscribes.
  await app.init();
  const dataSource = app.get(DataSource);
  app.get(HealthService).register(new PostgresHealthCheck(dataSource));
  keepPoolErrorsHandled(dataSource);

  const server = new KafkaEventsServer({
    kafka: app.get(KAFKA_CLIENT),
    settings,
    dataSource,
    logger,
    outbox: app.get(OutboxWriter),
    retry: options.consumer?.retry,
    afterCommit: options.consumer?.afterCommit,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
    fetchBytesPerPartition: config.KAFKA_FETCH_BYTES_PER_PARTITION,
    maxBatchSize: config.KAFKA_CHUNK_EVENTS,
  });
  // inheritAppConfig: the app's global filter then also passes handler errors through unchanged.
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(options.port ?? config.HTTP_PORT ?? definition.defaultPort, options.host ?? '0.0.0.0');
  const messagingMetrics = registerMessagingMetrics({
    metrics: app.get(ServiceMetrics),
    dataSource,
    kafka: app.get(KAFKA_CLIENT),
    settings,
    consumer: server.eventConsumer ? { consumer: server.eventConsumer, topics: server.subscribed.topics } : undefined,
  });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : definition.defaultPort;
  logger.log({ msg: 'service started', port }, 'Bootstrap');

  return {
    name: definition.name,
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    dataSource,
    consumer: server.eventConsumer,
    subscriptions: server.subscribed,
    close: async () => {
      await app.close();
      await messagingMetrics.close();
      await flushTracing();
    },
  };
}

function kafkaSettingsOf(definition: Pick<OneOffTarget, 'name'>, config: ServiceConfig): KafkaSettings {
  return { clientId: definition.name, brokers: parseBrokers(config.KAFKA_BROKERS), topicPrefix: config.KAFKA_TOPIC_PREFIX ?? '', ...kafkaSecurityFrom(config) };
}

function dataSourceOptionsOf(definition: OneOffTarget, config: ServiceConfig) {
  return serviceDataSourceOptions({
    url: config.DATABASE_URL,
    schema: definition.schema,
    entities: [OutboxRecord, InboxRecord, ...(definition.entities as never[])],
    // Every service keeps its own NEN 7513 audit log (append-only) beside its messaging tables.
    migrations: [...MESSAGING_MIGRATIONS, AuditLog1764300000000, AuditPatientSets1764800000000, ...definition.migrations],
  });
}

/** What a one-off command needs of a service definition. */
type OneOffTarget = Pick<ServiceDefinition<ServiceConfig>, 'name' | 'schema' | 'entities' | 'migrations'> & { configClass: new () => ServiceConfig };

/** Brings the service's schema up to date (under an advisory lock: replicas and the migration Job may race). */
async function migrate(definition: OneOffTarget, config: ServiceConfig, logger: LoggerService): Promise<string[]> {
  const migrator = new DataSource(dataSourceOptionsOf(definition, config));
  await migrator.initialize();
  try {
    const applied = await migrateServiceDatabase(migrator, definition.schema);
    if (applied.length > 0) logger.log({ msg: 'migrations applied', migrations: applied }, 'Database');
    return applied;
  } finally {
    await migrator.destroy();
  }
}

/**
 * What `main.js <command>` runs instead of the service: one-off tasks of a deployment
 * (the Kubernetes migration and topic Jobs, compose's `topics` service).
 */
export const SERVICE_COMMANDS = {
  /** Applies the service's pending migrations, then exits. */
  migrate: async (definition: OneOffTarget, env: Record<string, string | undefined>) => {
    const config = loadConfig(definition.name, definition.configClass, env);
    await migrate(definition, config, new JsonLogger(definition.name, config.LOG_LEVEL));
  },
  /** Creates every registry topic and its dead-letter twin that is missing, then exits. */
  'provision-topics': async (definition: OneOffTarget, env: Record<string, string | undefined>) => {
    const config = loadConfig(definition.name, definition.configClass, env);
    const logger = new JsonLogger(definition.name, config.LOG_LEVEL);
    const settings = kafkaSettingsOf(definition, config);
    const created = await provisionTopics(createKafka(settings, logger), settings, ALL_TOPICS);
    logger.log({ msg: 'topics provisioned', created, registry: ALL_TOPICS.length }, 'Topics');
  },
} as const;

/** A service's `main.ts`: start, and exit non-zero with a clear message when start-up fails. */
export function runServiceMain<C extends ServiceConfig>(definition: ServiceDefinition<C>, argv = process.argv.slice(2)): void {
  const [command] = argv;
  if (command !== undefined && !(command in SERVICE_COMMANDS)) {
    process.stderr.write(`unknown command "${command}"; known: ${Object.keys(SERVICE_COMMANDS).join(', ')} (none: run the service)\n`);
    process.exit(2);
  }
  const run = command
    ? SERVICE_COMMANDS[command as keyof typeof SERVICE_COMMANDS](definition, process.env)
    : startService(definition);
  run.catch((error: Error) => {
    process.stderr.write(
      JSON.stringify({ time: new Date().toISOString(), level: 'error', service: definition.name, msg: 'start-up failed', error: error.message }) + '\n',
    );
    process.exit(1);
  });
}
