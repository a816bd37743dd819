import { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeInitial1763856100000 implements MigrationInterface {
  name = 'IntakeInitial1763856100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reception_locations (
        id uuid PRIMARY KEY,
        municipality_code text NOT NULL,
        name text NOT NULL,
        normalized_name text NOT NULL,
        postcode text NOT NULL,
        pc4 text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('reception-centre', 'neighbourhood')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX reception_locations_natural_key ON reception_locations (municipality_code, postcode, normalized_name)`,
    );
    await q.query(`
      CREATE TABLE refugee_groups (
        id uuid PRIMARY KEY,
        municipality_code text NOT NULL,
        reference text NOT NULL,
        location_id uuid NOT NULL REFERENCES reception_locations (id),
        headcount int NOT NULL CHECK (headcount BETWEEN 1 AND 10000),
        arrival_date date NOT NULL,
        composition jsonb,
        with_bsn_count int,
        status text NOT NULL,
        announced_payload jsonb NOT NULL,
        announced_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX refugee_groups_reference ON refugee_groups (municipality_code, reference)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE refugee_groups');
    await q.query('DROP TABLE reception_locations');
  }
}
