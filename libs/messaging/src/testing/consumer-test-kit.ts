import { DataSource } from 'typeorm';
import { migrateServiceDatabase, serviceDataSourceOptions } from '@draaiboek/platform';
import { InboxRecord } from '../inbox/inbox-record.orm-entity';
import { MessagingTables1763856000000 } from '../messaging-tables.migration';
import { OutboxRecord } from '../outbox/outbox-record.orm-entity';

/**
 * For the consumer wrapper's own tests: a data source on `schema` with just the messaging tables,
 * and a table `effects` (seq, consultation_id and the columns given) for handlers to write to.
 */
export async function consumerTestDataSource(url: string, schema: string, effectColumns: string): Promise<DataSource> {
  const dataSource = new DataSource(serviceDataSourceOptions({ url, schema, entities: [InboxRecord, OutboxRecord], migrations: [MessagingTables1763856000000] }));
  await dataSource.initialize();
  await migrateServiceDatabase(dataSource, schema);
  await dataSource.query(`CREATE TABLE effects (seq bigserial PRIMARY KEY, consultation_id uuid NOT NULL, ${effectColumns})`);
  return dataSource;
}
