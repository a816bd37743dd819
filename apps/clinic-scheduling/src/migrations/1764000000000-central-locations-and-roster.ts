import { MigrationInterface, QueryRunner } from 'typeorm';

/** Checklist, cadence, the GP directory as rostering sees it, GP preferences, shifts. */
export class CentralLocationsAndRoster1764000000000 implements MigrationInterface {
  name = 'CentralLocationsAndRoster1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE known_groups ADD COLUMN status text NOT NULL DEFAULT 'active'`);
    await q.query(`ALTER TABLE central_locations ADD COLUMN opened_because text NOT NULL DEFAULT 'coordination'`);
    await q.query(`ALTER TABLE central_locations ADD COLUMN latitude numeric(8,5)`);
    await q.query(`ALTER TABLE central_locations ADD COLUMN longitude numeric(8,5)`);
    await q.query(`ALTER TABLE central_locations ADD COLUMN override_reason text`);
    await q.query(`ALTER TABLE central_locations ADD COLUMN override_by text`);
    await q.query(`ALTER TABLE central_locations ADD COLUMN override_at timestamptz`);
    await q.query(`ALTER TABLE central_locations ADD COLUMN cadence jsonb`);
    await q.query(`CREATE UNIQUE INDEX central_locations_reception_idx ON central_locations (reception_location_id) WHERE reception_location_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE checklist_items (
        central_location_id uuid NOT NULL REFERENCES central_locations (id),
        item text NOT NULL,
        required boolean NOT NULL,
        owner text,
        due_date date,
        done_at timestamptz,
        done_by text,
        PRIMARY KEY (central_location_id, item)
      )`);

    await q.query(`ALTER TABLE sessions ADD COLUMN cancelled_reason text`);
    await q.query(`CREATE INDEX sessions_location_date_idx ON sessions (central_location_id, local_date)`);
    await q.query(`CREATE INDEX sessions_starts_idx ON sessions (starts_at)`);

    await q.query(`
      CREATE TABLE practices (
        agb text PRIMARY KEY,
        hagro_code text NOT NULL,
        latitude numeric(8,5) NOT NULL,
        longitude numeric(8,5) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Apart from practices: a caseload report may arrive before the practice's registration
    // (they travel on different topics) and must not be lost.
    await q.query(`
      CREATE TABLE practice_caseloads (
        practice_agb text PRIMARY KEY,
        caseload int NOT NULL,
        reported_on date NOT NULL
      )`);
    await q.query(`
      CREATE TABLE gps (
        agb text PRIMARY KEY,
        practice_agb text NOT NULL REFERENCES practices (agb),
        fte numeric(4,2) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        max_shifts_per_month int NOT NULL DEFAULT 4,
        max_travel_km int NOT NULL DEFAULT 40,
        available_weekdays int[],
        unavailable jsonb NOT NULL DEFAULT '[]'
      )`);

    await q.query(`
      CREATE TABLE shifts (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id),
        slot int NOT NULL,
        gp_agb text NOT NULL REFERENCES gps (agb),
        status text NOT NULL CHECK (status IN ('draft', 'published', 'released')),
        explanation jsonb NOT NULL,
        refill boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        released_at timestamptz,
        release_reason text
      )`);
    // One GP per slot of a session among the shifts that stand.
    await q.query(`CREATE UNIQUE INDEX shifts_slot_idx ON shifts (session_id, slot) WHERE status <> 'released'`);
    await q.query(`CREATE INDEX shifts_gp_idx ON shifts (gp_agb, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE shifts');
    await q.query('DROP TABLE gps');
    await q.query('DROP TABLE practice_caseloads');
    await q.query('DROP TABLE practices');
    await q.query('DROP TABLE checklist_items');
    await q.query('DROP INDEX sessions_starts_idx');
    await q.query('DROP INDEX sessions_location_date_idx');
    await q.query('ALTER TABLE sessions DROP COLUMN cancelled_reason');
    await q.query('DROP INDEX central_locations_reception_idx');
    for (const column of ['cadence', 'override_at', 'override_by', 'override_reason', 'longitude', 'latitude', 'opened_because']) {
      await q.query(`ALTER TABLE central_locations DROP COLUMN ${column}`);
    }
    await q.query('ALTER TABLE known_groups DROP COLUMN status');
  }
}
