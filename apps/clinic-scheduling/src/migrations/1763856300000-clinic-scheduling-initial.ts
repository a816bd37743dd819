import { MigrationInterface, QueryRunner } from 'typeorm';

export class ClinicSchedulingInitial1763856300000 implements MigrationInterface {
  name = 'ClinicSchedulingInitial1763856300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE known_groups (
        group_id uuid PRIMARY KEY,
        location_id uuid NOT NULL,
        location_name text NOT NULL,
        postcode text NOT NULL,
        headcount int NOT NULL,
        arrival_date date NOT NULL
      )`);
    await q.query(`CREATE INDEX known_groups_location_idx ON known_groups (location_id)`);
    await q.query(`
      CREATE TABLE central_locations (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        postcode text NOT NULL,
        reception_location_id uuid,
        opened_by text NOT NULL,
        opened_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        central_location_id uuid NOT NULL REFERENCES central_locations (id),
        local_date date NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        capacity int NOT NULL CHECK (capacity > 0),
        gp_slots int NOT NULL CHECK (gp_slots > 0),
        status text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sessions');
    await q.query('DROP TABLE central_locations');
    await q.query('DROP TABLE known_groups');
  }
}
