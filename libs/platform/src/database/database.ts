import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { HealthCheck } from '../health/health';

export interface ServiceDatabaseOptions {
  url: string;
  /** Each service owns one Postgres schema; its migrations table lives there too. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

export function serviceDataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  assertSafeDatabase(options.url);
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // Unqualified SQL (migrations, raw queries) lands in the service's own schema.
    extra: { options: `-c search_path=${options.schema} -c timezone=UTC`, max: options.poolSize ?? 10 },
  };
}

/**
 * Test runs must never touch a real database: like domain-driven-hexagon's setup, refuse
 * any database whose name does not say `test` when NODE_ENV=test.
 */
export function assertSafeDatabase(url: string): void {
  if (process.env.NODE_ENV !== 'test') return;
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!name.includes('test')) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test"`);
  }
}

/**
 * Creates the service's schema if needed and runs pending migrations under an advisory
 * lock, so replicas starting together do not race each other.
 */
export async function migrateServiceDatabase(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`draaiboek:migrations:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`draaiboek:migrations:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * Every pooled connection gets an 'error' listener. When Postgres goes away it cuts each
 * connection; one that has just been checked out, before TypeORM listens on it, would otherwise
 * emit an unhandled 'error' and end the process. The error still reaches the query that used it.
 */
export function keepPoolErrorsHandled(dataSource: DataSource, onError: (error: Error) => void = () => undefined): void {
  const pool = (dataSource.driver as unknown as { master?: PoolLike }).master;
  if (!pool || typeof pool.on !== 'function') return;
  const guard = (client: ClientLike) => {
    if (!client.listeners('error').includes(onError)) client.on('error', onError);
  };
  pool.on('connect', guard);
  for (const client of pool._clients ?? []) guard(client);
}

interface ClientLike {
  on(event: 'error', listener: (error: Error) => void): unknown;
  listeners(event: 'error'): unknown[];
}

interface PoolLike {
  on(event: 'connect', listener: (client: ClientLike) => void): unknown;
  _clients?: ClientLike[];
}

export class PostgresHealthCheck implements HealthCheck {
  readonly name = 'postgres';
  constructor(private readonly dataSource: DataSource) {}
  async check(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
