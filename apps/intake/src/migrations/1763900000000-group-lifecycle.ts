import { MigrationInterface, QueryRunner } from 'typeorm';

/** Group lifecycle, change log, location capacity and the dated population history. */
export class GroupLifecycle1763900000000 implements MigrationInterface {
  name = 'GroupLifecycle1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE refugee_groups SET status = 'active' WHERE status = 'announced'`);
    await q.query(`ALTER TABLE refugee_groups ADD CONSTRAINT refugee_groups_status CHECK (status IN ('active', 'departed', 'cancelled'))`);
    await q.query(`ALTER TABLE refugee_groups ADD COLUMN last_change_date date`);
    await q.query(`UPDATE refugee_groups SET last_change_date = arrival_date`);
    await q.query(`ALTER TABLE refugee_groups ALTER COLUMN last_change_date SET NOT NULL`);
    await q.query(`CREATE INDEX refugee_groups_location_idx ON refugee_groups (location_id)`);
    await q.query(`CREATE INDEX refugee_groups_status_idx ON refugee_groups (municipality_code, status)`);

    await q.query(`ALTER TABLE reception_locations ADD COLUMN capacity int CHECK (capacity IS NULL OR capacity >= 0)`);

    await q.query(`
      CREATE TABLE group_changes (
        id uuid PRIMARY KEY,
        group_id uuid NOT NULL REFERENCES refugee_groups (id),
        change_reference text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('headcount-changed', 'departed', 'relocated', 'cancelled')),
        request jsonb NOT NULL,
        effective_date date NOT NULL,
        event_id uuid NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX group_changes_reference ON group_changes (group_id, change_reference)`);

    await q.query(`
      CREATE TABLE population_entries (
        id bigserial PRIMARY KEY,
        location_id uuid NOT NULL REFERENCES reception_locations (id),
        municipality_code text NOT NULL,
        group_id uuid NOT NULL REFERENCES refugee_groups (id),
        effective_date date NOT NULL,
        delta int NOT NULL,
        cause text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX population_entries_location_idx ON population_entries (location_id, effective_date)`);
    await q.query(`CREATE INDEX population_entries_municipality_idx ON population_entries (municipality_code, effective_date)`);
    // Groups announced before this migration get their arrival entry.
    await q.query(`
      INSERT INTO population_entries (location_id, municipality_code, group_id, effective_date, delta, cause)
      SELECT location_id, municipality_code, id, arrival_date, headcount, 'arrived' FROM refugee_groups`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE population_entries');
    await q.query('DROP TABLE group_changes');
    await q.query('ALTER TABLE reception_locations DROP COLUMN capacity');
    await q.query('DROP INDEX refugee_groups_status_idx');
    await q.query('DROP INDEX refugee_groups_location_idx');
    await q.query('ALTER TABLE refugee_groups DROP COLUMN last_change_date');
    await q.query('ALTER TABLE refugee_groups DROP CONSTRAINT refugee_groups_status');
    await q.query(`UPDATE refugee_groups SET status = 'announced' WHERE status = 'active'`);
  }
}
