import { DynamicModule, INestApplication, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import {
  createServiceApp,
  HealthService,
  JsonLogger,
  loadConfig,
  migrateServiceDatabase,
  PlatformModule,
  PostgresHealthCheck,
  ServiceConfig,
  serviceDataSourceOptions,
} from '@draaiboek/platform';
import { EventConsumer, EventConsumerOptions } from '../consumer/event-consumer';
import { KafkaSettings, parseBrokers } from '../kafka/kafka-factory';
import { MessagingTables1763856000000 } from '../messaging-tables.migration';
import { MessagingOutboxNotify1764200000000 } from '../outbox-notify.migration';
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
  const settings: KafkaSettings = {
    clientId: definition.name,
    brokers: parseBrokers(config.KAFKA_BROKERS),
    topicPrefix: config.KAFKA_TOPIC_PREFIX ?? '',
  };
  const dataSourceOptions = serviceDataSourceOptions({
    url: config.DATABASE_URL,
    schema: definition.schema,
    entities: [OutboxRecord, InboxRecord, ...(definition.entities as never[])],
    migrations: [MessagingTables1763856000000, MessagingOutboxNotify1764200000000, ...definition.migrations],
  });

  const migrator = new DataSource(dataSourceOptions);
  await migrator.initialize();
  try {
    const applied = await migrateServiceDatabase(migrator, definition.schema);
    if (applied.length > 0) logger.log({ msg: 'migrations applied', migrations: applied }, 'Database');
  } finally {
    await migrator.destroy();
  }

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

  const app = await createServiceApp(root, { service: definition.name, description: definition.description, logger });
  // Module init provisions the registry's topics: it must finish before the consumer subscribes.
  await app.init();
  const dataSource = app.get(DataSource);
  app.get(HealthService).register(new PostgresHealthCheck(dataSource));

  const server = new KafkaEventsServer({
    kafka: app.get(KAFKA_CLIENT),
    settings,
    dataSource,
    logger,
    outbox: app.get(OutboxWriter),
    retry: options.consumer?.retry,
    afterCommit: options.consumer?.afterCommit,
  });
  // inheritAppConfig: the app's global filter then also passes handler errors through unchanged.
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(options.port ?? config.HTTP_PORT ?? definition.defaultPort, options.host ?? '0.0.0.0');
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
    close: () => app.close(),
  };
}

/** A service's `main.ts`: start, and exit non-zero with a clear message when start-up fails. */
export function runServiceMain<C extends ServiceConfig>(definition: ServiceDefinition<C>): void {
  startService(definition).catch((error: Error) => {
    process.stderr.write(
      JSON.stringify({ time: new Date().toISOString(), level: 'error', service: definition.name, msg: 'start-up failed', error: error.message }) + '\n',
    );
    process.exit(1);
  });
}
