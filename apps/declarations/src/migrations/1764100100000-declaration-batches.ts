import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeclarationBatches1764100100000 implements MigrationInterface {
  name = 'DeclarationBatches1764100100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE declaration_batches (
        id uuid PRIMARY KEY,
        payer text NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        line_count int NOT NULL CHECK (line_count > 0),
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        checksum text NOT NULL,
        closed_by text NOT NULL,
        closed_at timestamptz NOT NULL DEFAULT now(),
        outcome_by text,
        outcome_at timestamptz
      )`);
    await q.query(`ALTER TABLE declaration_lines DROP CONSTRAINT declaration_lines_status_check`);
    await q.query(`ALTER TABLE declaration_lines ADD CONSTRAINT declaration_lines_status_check CHECK (status IN ('open', 'needs-attention', 'batched', 'accepted', 'rejected'))`);
    await q.query(`ALTER TABLE declaration_lines ADD COLUMN batch_id uuid REFERENCES declaration_batches (id)`);
    await q.query(`ALTER TABLE declaration_lines ADD COLUMN rejection_reason text`);
    await q.query(`CREATE INDEX declaration_lines_batch_idx ON declaration_lines (batch_id)`);
    // A closed batch is immutable: its lines keep what they were batched with; only finance's
    // outcome (accepted or rejected, with a reason) may still be written, once.
    await q.query(`
      CREATE FUNCTION declaration_lines_immutable_in_batch() RETURNS trigger AS $$
      BEGIN
        IF OLD.batch_id IS NOT NULL AND (
             NEW.batch_id IS DISTINCT FROM OLD.batch_id OR NEW.amount_cents IS DISTINCT FROM OLD.amount_cents
          OR NEW.performance_code IS DISTINCT FROM OLD.performance_code OR NEW.payer IS DISTINCT FROM OLD.payer
          OR NEW.date_of_care IS DISTINCT FROM OLD.date_of_care OR NEW.encrypted_bsn IS DISTINCT FROM OLD.encrypted_bsn
          OR (OLD.status <> 'batched' AND NEW.status IS DISTINCT FROM OLD.status)) THEN
          RAISE EXCEPTION 'declaration line % belongs to closed batch % and cannot change', OLD.id, OLD.batch_id;
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await q.query(`CREATE TRIGGER declaration_lines_immutable BEFORE UPDATE ON declaration_lines FOR EACH ROW EXECUTE FUNCTION declaration_lines_immutable_in_batch()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER declaration_lines_immutable ON declaration_lines');
    await q.query('DROP FUNCTION declaration_lines_immutable_in_batch()');
    await q.query('ALTER TABLE declaration_lines DROP COLUMN rejection_reason');
    await q.query('ALTER TABLE declaration_lines DROP COLUMN batch_id');
    await q.query('DROP TABLE declaration_batches');
  }
}
