import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A closed batch's lines cannot be deleted. With the triggers that keep them from moving and keep
 * new lines out, a closed batch's membership is fixed: the audit log's one entry for the export or
 * the outcome of a batch names exactly the patients whose lines were in it (decision 0034).
 */
export class ClosedBatchLinesKept1764800100000 implements MigrationInterface {
  name = 'ClosedBatchLinesKept1764800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION declaration_lines_kept_in_closed_batch() RETURNS trigger LANGUAGE plpgsql
      SET search_path FROM CURRENT AS $$
      BEGIN
        IF OLD.batch_id IS NOT NULL AND EXISTS (SELECT 1 FROM declaration_batches WHERE id = OLD.batch_id AND closed_at IS NOT NULL) THEN
          RAISE EXCEPTION 'declaration line % belongs to closed batch % and cannot be deleted', OLD.id, OLD.batch_id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
      END $$`);
    await q.query(`
      CREATE TRIGGER declaration_lines_kept_in_closed_batch BEFORE DELETE ON declaration_lines
        FOR EACH ROW EXECUTE FUNCTION declaration_lines_kept_in_closed_batch()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER declaration_lines_kept_in_closed_batch ON declaration_lines');
    await q.query('DROP FUNCTION declaration_lines_kept_in_closed_batch()');
  }
}
