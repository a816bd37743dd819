import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Open batches (decision 0030): a line is recorded straight into the open batch of its payer and
 * period, and closing a batch freezes the batch row (count, total, checksum) instead of rewriting
 * its lines. A line's own status no longer says 'batched': that follows from its batch being
 * closed; the status is 'open' until finance's outcome ('accepted' or 'rejected').
 *
 * On a database from before: lines that were 'batched' become 'open' (their batch is closed, so
 * they read as batched, and stay immutable); open lines without a batch keep batch_id NULL and
 * are put into their open batch by the next close (the period is the service's setting, which a
 * migration does not know).
 */
export class OpenBatches1764100400000 implements MigrationInterface {
  name = 'OpenBatches1764100400000';

  async up(q: QueryRunner): Promise<void> {
    // Batches: open (closed_at NULL, no totals yet) until closed; one open batch per payer and period.
    await q.query(`ALTER TABLE declaration_batches
      ALTER COLUMN line_count DROP NOT NULL, ALTER COLUMN total_cents DROP NOT NULL, ALTER COLUMN checksum DROP NOT NULL,
      ALTER COLUMN closed_by DROP NOT NULL, ALTER COLUMN closed_at DROP NOT NULL, ALTER COLUMN closed_at DROP DEFAULT`);
    await q.query(`ALTER TABLE declaration_batches ADD CONSTRAINT declaration_batches_closed_or_open CHECK (
      CASE WHEN closed_at IS NULL
           THEN line_count IS NULL AND total_cents IS NULL AND checksum IS NULL AND closed_by IS NULL AND outcome_at IS NULL
           ELSE line_count IS NOT NULL AND total_cents IS NOT NULL AND checksum IS NOT NULL AND closed_by IS NOT NULL END)`);
    await q.query(`CREATE UNIQUE INDEX declaration_batches_one_open ON declaration_batches (payer, period_start, period_end) WHERE closed_at IS NULL`);

    // Lines: 'batched' is no longer stored (the old trigger lets a batched line's status change).
    await q.query(`UPDATE declaration_lines SET status = 'open' WHERE status = 'batched'`);
    await q.query(`ALTER TABLE declaration_lines DROP CONSTRAINT declaration_lines_status_check`);
    await q.query(`ALTER TABLE declaration_lines ADD CONSTRAINT declaration_lines_status_check CHECK (status IN ('open', 'needs-attention', 'accepted', 'rejected'))`);

    // The foreign key checked every new line with a query of its own (a million for a million
    // lines); the statement trigger below checks a whole INSERT at once, and also that the batch is open.
    await q.query(`ALTER TABLE declaration_lines DROP CONSTRAINT declaration_lines_batch_id_fkey`);
    await q.query(`
      CREATE FUNCTION declaration_lines_into_open_batch() RETURNS trigger AS $$
      DECLARE
        bad record;
      BEGIN
        SELECT n.id, n.batch_id, b.closed_at INTO bad
          FROM new_lines n LEFT JOIN declaration_batches b ON b.id = n.batch_id
         WHERE n.batch_id IS NOT NULL AND (b.id IS NULL OR b.closed_at IS NOT NULL) LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'declaration line % cannot go into batch %: %', bad.id, bad.batch_id,
            CASE WHEN bad.closed_at IS NULL THEN 'no such batch' ELSE 'it is closed' END USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$ LANGUAGE plpgsql SET search_path FROM CURRENT`);
    await q.query(`CREATE TRIGGER declaration_lines_into_open_batch AFTER INSERT ON declaration_lines REFERENCING NEW TABLE AS new_lines
      FOR EACH STATEMENT EXECUTE FUNCTION declaration_lines_into_open_batch()`);
    await q.query(`
      CREATE FUNCTION declaration_batches_keep_lines() RETURNS trigger AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM declaration_lines WHERE batch_id = OLD.id) THEN
          RAISE EXCEPTION 'batch % has lines and cannot be deleted', OLD.id USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN OLD;
      END $$ LANGUAGE plpgsql SET search_path FROM CURRENT`);
    await q.query(`CREATE TRIGGER declaration_batches_keep_lines BEFORE DELETE ON declaration_batches FOR EACH ROW EXECUTE FUNCTION declaration_batches_keep_lines()`);

    // The functions read other tables: they keep the service's schema whoever's session fires them.
    // A closed batch is immutable: a line in it keeps what it was batched with; only finance's
    // outcome ('open' to accepted or rejected, with a reason) and a BSN re-encryption may change it.
    // A line may not be moved into a closed batch, nor into one that does not exist.
    await q.query(`
      CREATE OR REPLACE FUNCTION declaration_lines_immutable_in_batch() RETURNS trigger AS $$
      DECLARE
        rewrap boolean := coalesce(current_setting('draaiboek.bsn_rewrap', true), '') = 'on'
          AND NEW.encrypted_bsn IS NOT NULL AND OLD.encrypted_bsn IS NOT NULL
          AND NEW.encrypted_bsn->>'keyId' IS DISTINCT FROM OLD.encrypted_bsn->>'keyId';
      BEGIN
        IF OLD.batch_id IS NOT NULL AND EXISTS (SELECT 1 FROM declaration_batches WHERE id = OLD.batch_id AND closed_at IS NOT NULL) AND (
             NEW.batch_id IS DISTINCT FROM OLD.batch_id OR NEW.amount_cents IS DISTINCT FROM OLD.amount_cents
          OR NEW.performance_code IS DISTINCT FROM OLD.performance_code OR NEW.payer IS DISTINCT FROM OLD.payer
          OR NEW.date_of_care IS DISTINCT FROM OLD.date_of_care OR (NEW.encrypted_bsn IS DISTINCT FROM OLD.encrypted_bsn AND NOT rewrap)
          OR (NEW.status IS DISTINCT FROM OLD.status AND (OLD.status <> 'open' OR NEW.status NOT IN ('accepted', 'rejected')))) THEN
          RAISE EXCEPTION 'declaration line % belongs to closed batch % and cannot change', OLD.id, OLD.batch_id;
        END IF;
        IF NEW.batch_id IS DISTINCT FROM OLD.batch_id AND NEW.batch_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM declaration_batches WHERE id = NEW.batch_id AND closed_at IS NULL) THEN
          RAISE EXCEPTION 'declaration line % cannot move into batch %: it is closed or does not exist', OLD.id, NEW.batch_id;
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql SET search_path FROM CURRENT`);

    // Closing no longer looks for open lines by payer and status (it reads its batches' lines by
    // batch_id); only lines from before this migration can be open without a batch.
    await q.query(`DROP INDEX declaration_lines_payer_status_idx`);
    await q.query(`CREATE INDEX declaration_lines_unbatched_idx ON declaration_lines (payer, date_of_care) WHERE status = 'open' AND batch_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX declaration_lines_unbatched_idx`);
    await q.query(`CREATE INDEX declaration_lines_payer_status_idx ON declaration_lines (payer, status, date_of_care)`);
    // Lines of open batches become open lines without a batch again, lines of closed batches 'batched'.
    await q.query(`DROP TRIGGER declaration_lines_into_open_batch ON declaration_lines`);
    await q.query(`DROP FUNCTION declaration_lines_into_open_batch()`);
    await q.query(`ALTER TABLE declaration_lines DISABLE TRIGGER declaration_lines_immutable`);
    await q.query(`UPDATE declaration_lines l SET batch_id = NULL FROM declaration_batches b WHERE b.id = l.batch_id AND b.closed_at IS NULL`);
    await q.query(`ALTER TABLE declaration_lines DROP CONSTRAINT declaration_lines_status_check`);
    await q.query(`UPDATE declaration_lines SET status = 'batched' WHERE status = 'open' AND batch_id IS NOT NULL`);
    await q.query(`ALTER TABLE declaration_lines ENABLE TRIGGER declaration_lines_immutable`);
    await q.query(`ALTER TABLE declaration_lines ADD CONSTRAINT declaration_lines_status_check CHECK (status IN ('open', 'needs-attention', 'batched', 'accepted', 'rejected'))`);
    await q.query(`DROP TRIGGER declaration_batches_keep_lines ON declaration_batches`);
    await q.query(`DROP FUNCTION declaration_batches_keep_lines()`);
    await q.query(`DELETE FROM declaration_batches WHERE closed_at IS NULL`);
    await q.query(`ALTER TABLE declaration_lines ADD CONSTRAINT declaration_lines_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES declaration_batches (id)`);
    await q.query(`DROP INDEX declaration_batches_one_open`);
    await q.query(`ALTER TABLE declaration_batches DROP CONSTRAINT declaration_batches_closed_or_open`);
    await q.query(`ALTER TABLE declaration_batches ALTER COLUMN closed_at SET DEFAULT now(), ALTER COLUMN closed_at SET NOT NULL, ALTER COLUMN closed_by SET NOT NULL,
      ALTER COLUMN checksum SET NOT NULL, ALTER COLUMN total_cents SET NOT NULL, ALTER COLUMN line_count SET NOT NULL`);
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
  }
}
