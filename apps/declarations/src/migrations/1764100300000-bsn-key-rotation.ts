import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * BSN key rotation: a closed batch stays immutable, except that its lines' encrypted BSN may be
 * re-encrypted for the current key, by the rotation worker alone (it sets
 * `draaiboek.bsn_rewrap` for its own transaction) and only to another key id.
 */
export class BsnKeyRotation1764100300000 implements MigrationInterface {
  name = 'BsnKeyRotation1764100300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION declaration_lines_immutable_in_batch() RETURNS trigger AS $$
      DECLARE
        rewrap boolean := coalesce(current_setting('draaiboek.bsn_rewrap', true), '') = 'on'
          AND NEW.encrypted_bsn IS NOT NULL AND OLD.encrypted_bsn IS NOT NULL
          AND NEW.encrypted_bsn->>'keyId' IS DISTINCT FROM OLD.encrypted_bsn->>'keyId';
      BEGIN
        IF OLD.batch_id IS NOT NULL AND (
             NEW.batch_id IS DISTINCT FROM OLD.batch_id OR NEW.amount_cents IS DISTINCT FROM OLD.amount_cents
          OR NEW.performance_code IS DISTINCT FROM OLD.performance_code OR NEW.payer IS DISTINCT FROM OLD.payer
          OR NEW.date_of_care IS DISTINCT FROM OLD.date_of_care OR (NEW.encrypted_bsn IS DISTINCT FROM OLD.encrypted_bsn AND NOT rewrap)
          OR (OLD.status <> 'batched' AND NEW.status IS DISTINCT FROM OLD.status)) THEN
          RAISE EXCEPTION 'declaration line % belongs to closed batch % and cannot change', OLD.id, OLD.batch_id;
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await q.query(`CREATE INDEX declaration_lines_bsn_key_idx ON declaration_lines ((encrypted_bsn->>'keyId')) WHERE encrypted_bsn IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX declaration_lines_bsn_key_idx');
    await q.query(`
      CREATE OR REPLACE FUNCTION declaration_lines_immutable_in_batch() RETURNS trigger AS $$
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
  }
}
