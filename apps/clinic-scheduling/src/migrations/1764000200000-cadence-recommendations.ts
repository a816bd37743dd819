import { MigrationInterface, QueryRunner } from 'typeorm';

export class CadenceRecommendations1764000200000 implements MigrationInterface {
  name = 'CadenceRecommendations1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cadence_recommendations (
        id uuid PRIMARY KEY,
        central_location_id uuid NOT NULL REFERENCES central_locations (id),
        based_on jsonb NOT NULL,
        current_weekdays int[] NOT NULL,
        proposed_weekdays int[] NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        decided_by text,
        decided_at timestamptz,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One open recommendation per location at a time.
    await q.query(`CREATE UNIQUE INDEX cadence_recommendations_pending ON cadence_recommendations (central_location_id) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE cadence_recommendations');
  }
}
