import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every outbox insert notifies `draaiboek_outbox_<schema>`. Postgres delivers a notification when
 * its transaction commits (and folds identical ones of one transaction into one), so the relay
 * wakes the moment an event can be published, whichever process or replica wrote it.
 */
export class MessagingOutboxNotify1764200000000 implements MigrationInterface {
  name = 'MessagingOutboxNotify1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('draaiboek_outbox_' || TG_TABLE_SCHEMA, '');
        RETURN NULL;
      END $$`);
    await q.query('CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER outbox_notify ON outbox');
    await q.query('DROP FUNCTION outbox_notify()');
  }
}
