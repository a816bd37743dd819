import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeclarationLines1764100000000 implements MigrationInterface {
  name = 'DeclarationLines1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE declaration_lines (
        id uuid PRIMARY KEY,
        consultation_id uuid NOT NULL UNIQUE,
        session_id uuid NOT NULL,
        central_location_id uuid NOT NULL,
        gp_agb text NOT NULL,
        practice_agb text NOT NULL,
        date_of_care date NOT NULL,
        performance_code text NOT NULL,
        duration_class text NOT NULL,
        payer text NOT NULL CHECK (payer IN ('CAK', 'RMO', 'CAK-OVV')),
        payer_scheme text NOT NULL,
        amount_cents bigint CHECK (amount_cents IS NULL OR amount_cents >= 0),
        tariff_version text,
        status text NOT NULL CHECK (status IN ('open', 'needs-attention')),
        problem text,
        patient_pseudonym text NOT NULL,
        -- The BSN as clinic-scheduling sent it: encrypted for declarations' key, never in plaintext.
        encrypted_bsn jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT declaration_lines_amount_when_open CHECK (status <> 'open' OR amount_cents IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX declaration_lines_payer_status_idx ON declaration_lines (payer, status, date_of_care)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE declaration_lines');
  }
}
