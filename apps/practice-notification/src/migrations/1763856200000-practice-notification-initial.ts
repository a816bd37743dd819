import { MigrationInterface, QueryRunner } from 'typeorm';

export class PracticeNotificationInitial1763856200000 implements MigrationInterface {
  name = 'PracticeNotificationInitial1763856200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE arrived_groups (
        group_id uuid PRIMARY KEY,
        municipality_code text NOT NULL,
        location_id uuid NOT NULL,
        location_name text NOT NULL,
        pc4 text NOT NULL,
        headcount int NOT NULL,
        arrival_date date NOT NULL,
        central_location_advised boolean NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE arrived_groups');
  }
}
