import { MigrationInterface, QueryRunner } from 'typeorm';

/** Practice directory, notifications with the practices' choices, reminders, caseload reports. */
export class DirectoryAndSignals1763950000000 implements MigrationInterface {
  name = 'DirectoryAndSignals1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE practices (
        agb text PRIMARY KEY CHECK (agb ~ '^[0-9]{8}$'),
        name text NOT NULL,
        street text NOT NULL,
        postcode text NOT NULL,
        city text NOT NULL,
        latitude numeric(8,5) NOT NULL,
        longitude numeric(8,5) NOT NULL,
        hagro_code text NOT NULL,
        wagro_code text,
        contact_name text NOT NULL,
        contact_email text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX practices_hagro_idx ON practices (hagro_code)`);
    await q.query(`
      CREATE TABLE practice_catchment (
        practice_agb text NOT NULL REFERENCES practices (agb) ON DELETE CASCADE,
        pc4 text NOT NULL CHECK (pc4 ~ '^[1-9][0-9]{3}$'),
        PRIMARY KEY (practice_agb, pc4)
      )`);
    await q.query(`CREATE INDEX practice_catchment_pc4_idx ON practice_catchment (pc4)`);
    await q.query(`
      CREATE TABLE gps (
        agb text PRIMARY KEY CHECK (agb ~ '^[0-9]{8}$'),
        practice_agb text NOT NULL REFERENCES practices (agb),
        name text NOT NULL,
        email text NOT NULL,
        fte numeric(4,2) NOT NULL CHECK (fte > 0 AND fte <= 1.5),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX gps_practice_idx ON gps (practice_agb)`);

    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        group_id uuid NOT NULL,
        practice_agb text NOT NULL REFERENCES practices (agb),
        hagro_code text NOT NULL,
        reason text NOT NULL,
        municipality_code text NOT NULL,
        location jsonb NOT NULL,
        headcount int NOT NULL,
        arrival_date date NOT NULL,
        advice text NOT NULL CHECK (advice IN ('own-practice', 'central-location')),
        needs_decision boolean NOT NULL,
        arrangement text CHECK (arrangement IN ('own-practice', 'central-location')),
        decided_for text CHECK (decided_for IN ('practice', 'hagro')),
        decided_by text,
        decided_at timestamptz,
        reminded_at timestamptz,
        escalated_at timestamptz,
        read_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX notifications_practice_idx ON notifications (practice_agb, created_at DESC)`);
    await q.query(`CREATE INDEX notifications_group_idx ON notifications (group_id)`);
    await q.query(`CREATE INDEX notifications_open_idx ON notifications (created_at) WHERE needs_decision AND arrangement IS NULL`);
    // One arrival signal per practice and group, however often the event is delivered.
    await q.query(`CREATE UNIQUE INDEX notifications_one_arrival ON notifications (group_id, practice_agb) WHERE reason IN ('arrival', 'relocated-here')`);

    await q.query(`
      CREATE TABLE coordination_alerts (
        id uuid PRIMARY KEY,
        group_id uuid NOT NULL,
        kind text NOT NULL,
        message text NOT NULL,
        notification_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE caseload_reports (
        id uuid PRIMARY KEY,
        practice_agb text NOT NULL REFERENCES practices (agb),
        reported_on date NOT NULL,
        refugee_count int NOT NULL CHECK (refugee_count >= 0),
        reported_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // What practice-notification knows of each group, kept current by intake's lifecycle events.
    await q.query(`ALTER TABLE arrived_groups ADD COLUMN status text NOT NULL DEFAULT 'active'`);
    await q.query(`ALTER TABLE arrived_groups ADD COLUMN location jsonb`);
    // Groups recorded before this migration: their location as far as it was kept.
    await q.query(`UPDATE arrived_groups SET location = jsonb_build_object('locationId', location_id, 'name', location_name, 'pc4', pc4, 'postcode', pc4, 'kind', 'reception-centre')`);
    await q.query(`CREATE INDEX caseload_reports_practice_idx ON caseload_reports (practice_agb, reported_on DESC, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE arrived_groups DROP COLUMN location');
    await q.query('ALTER TABLE arrived_groups DROP COLUMN status');
    for (const table of ['caseload_reports', 'coordination_alerts', 'notifications', 'gps', 'practice_catchment', 'practices']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
