import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context of the work that wrote an outbox row, so that the relay can send it
 * in the record's headers and the consumer continues the same trace. Null for rows written
 * outside a trace (and for every row written before this migration).
 */
export class OutboxTraceContext1764700000000 implements MigrationInterface {
  name = 'OutboxTraceContext1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE outbox ADD COLUMN trace_context jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE outbox DROP COLUMN trace_context');
  }
}
