import { MigrationInterface, QueryRunner } from 'typeorm';

/** Consultations held at central locations, and the no-shows per session for the weekly evaluation. */
export class Consultations1764000100000 implements MigrationInterface {
  name = 'Consultations1764000100000';

  async up(q: QueryRunner): Promise<void> {
    // No plaintext personal identifier has a column here: the patient is a keyed pseudonym and the
    // BSN exists only encrypted for declarations, present exactly when the BSN is known.
    await q.query(`
      CREATE TABLE consultations (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id),
        gp_agb text NOT NULL,
        practice_agb text NOT NULL,
        date_of_care date NOT NULL,
        performance_code text NOT NULL CHECK (performance_code ~ '^[0-9]{5}$'),
        duration_class text NOT NULL CHECK (duration_class IN ('short', 'regular', 'long', 'extended')),
        bsn_known boolean NOT NULL,
        third_country_national boolean NOT NULL,
        patient_pseudonym text NOT NULL CHECK (patient_pseudonym ~ '^[0-9a-f]{64}$'),
        walk_in boolean NOT NULL DEFAULT false,
        encrypted_bsn jsonb,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT consultations_bsn_encrypted_when_known CHECK ((encrypted_bsn IS NOT NULL) = bsn_known),
        CONSTRAINT consultations_bsn_is_envelope CHECK (
          encrypted_bsn IS NULL OR (jsonb_typeof(encrypted_bsn) = 'object' AND encrypted_bsn ? 'ciphertext' AND encrypted_bsn ? 'encryptedKey')
        )
      )`);
    await q.query(`CREATE INDEX consultations_session_idx ON consultations (session_id, walk_in)`);
    await q.query(`CREATE INDEX consultations_pseudonym_idx ON consultations (patient_pseudonym)`);
    await q.query(`
      CREATE TABLE session_attendance (
        session_id uuid PRIMARY KEY REFERENCES sessions (id),
        no_shows int NOT NULL CHECK (no_shows >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE session_attendance');
    await q.query('DROP TABLE consultations');
  }
}
