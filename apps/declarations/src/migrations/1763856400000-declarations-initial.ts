import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeclarationsInitial1763856400000 implements MigrationInterface {
  name = 'DeclarationsInitial1763856400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE declarable_sessions (
        session_id uuid PRIMARY KEY,
        central_location_id uuid NOT NULL,
        location_name text NOT NULL,
        local_date date NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE declarable_sessions');
  }
}
