import { MigrationInterface, QueryRunner } from 'typeorm';

/** The id of a data key: the first 16 bytes of SHA-256 over its wrapped form as it first arrived (BsnDataKeys.idOf makes the same). */
const ID_OF = (wrapped: string) => `encode(substring(sha256(convert_to(${wrapped}, 'UTF8')) FROM 1 FOR 16), 'hex')::uuid`;

/**
 * A BSN's wrapped data key is stored once, in bsn_data_keys, instead of in every line (decision
 * 0035): a line keeps its IV, ciphertext and tag, and the id of its data key. Clinic-scheduling
 * shares one data key among up to 10,000 BSNs (0025), so a million lines hold about a hundred
 * keys instead of a million copies of 512 characters. Rotation re-wraps those keys; lines no
 * longer change when the declarations key does.
 */
export class BsnDataKeys1764800200000 implements MigrationInterface {
  name = 'BsnDataKeys1764800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bsn_data_keys (
        id uuid PRIMARY KEY,
        key_id text NOT NULL,
        alg text NOT NULL,
        encrypted_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A line's BSN cannot be read without its data key: keys are never deleted.
    await q.query(`
      CREATE FUNCTION bsn_data_keys_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'BSN data keys are never deleted (lines need them to be read)' USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await q.query(`CREATE TRIGGER bsn_data_keys_are_kept BEFORE DELETE ON bsn_data_keys FOR EACH ROW EXECUTE FUNCTION bsn_data_keys_are_kept()`);
    await q.query(`CREATE TRIGGER bsn_data_keys_not_truncated BEFORE TRUNCATE ON bsn_data_keys FOR EACH STATEMENT EXECUTE FUNCTION bsn_data_keys_are_kept()`);

    await q.query(`ALTER TABLE declaration_lines ADD COLUMN bsn_data_key_id uuid`);
    // The lines of before: their keys into the table, their values without them. This rewrites
    // lines of closed batches too (their BSNs stay the same), so the immutability trigger rests.
    await q.query(`ALTER TABLE declaration_lines DISABLE TRIGGER declaration_lines_immutable`);
    await q.query(`
      INSERT INTO bsn_data_keys (id, key_id, alg, encrypted_key)
      SELECT DISTINCT ON (1) ${ID_OF(`encrypted_bsn->>'encryptedKey'`)}, encrypted_bsn->>'keyId', encrypted_bsn->>'alg', encrypted_bsn->>'encryptedKey'
        FROM declaration_lines WHERE encrypted_bsn ? 'encryptedKey'
      ON CONFLICT (id) DO NOTHING`);
    await q.query(`
      UPDATE declaration_lines SET bsn_data_key_id = ${ID_OF(`encrypted_bsn->>'encryptedKey'`)}, encrypted_bsn = encrypted_bsn - 'encryptedKey' - 'keyId' - 'alg'
       WHERE encrypted_bsn ? 'encryptedKey'`);
    await q.query(`ALTER TABLE declaration_lines ENABLE TRIGGER declaration_lines_immutable`);
    await q.query(`ALTER TABLE declaration_lines ADD CONSTRAINT declaration_lines_bsn_with_its_key CHECK ((encrypted_bsn IS NULL) = (bsn_data_key_id IS NULL))`);

    // Every data key a new or changed line names exists: one check per statement, not a foreign
    // key's lookup per line (the lines arrive by the million).
    await q.query(`
      CREATE FUNCTION declaration_lines_with_known_data_keys() RETURNS trigger AS $$
      DECLARE
        missing uuid;
      BEGIN
        SELECT n.bsn_data_key_id INTO missing FROM changed_lines n
          WHERE n.bsn_data_key_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bsn_data_keys k WHERE k.id = n.bsn_data_key_id) LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'BSN data key % does not exist', missing USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$ LANGUAGE plpgsql SET search_path FROM CURRENT`);
    await q.query(`
      CREATE TRIGGER declaration_lines_with_known_data_keys AFTER INSERT ON declaration_lines
        REFERENCING NEW TABLE AS changed_lines FOR EACH STATEMENT EXECUTE FUNCTION declaration_lines_with_known_data_keys()`);
    await q.query(`
      CREATE TRIGGER declaration_lines_with_known_data_keys_on_update AFTER UPDATE ON declaration_lines
        REFERENCING NEW TABLE AS changed_lines FOR EACH STATEMENT EXECUTE FUNCTION declaration_lines_with_known_data_keys()`);

    // A line in a closed batch keeps its BSN as it was batched: re-encryption no longer touches lines.
    await q.query(`
      CREATE OR REPLACE FUNCTION declaration_lines_immutable_in_batch() RETURNS trigger AS $$
      BEGIN
        IF OLD.batch_id IS NOT NULL AND EXISTS (SELECT 1 FROM declaration_batches WHERE id = OLD.batch_id AND closed_at IS NOT NULL) AND (
             NEW.batch_id IS DISTINCT FROM OLD.batch_id OR NEW.amount_cents IS DISTINCT FROM OLD.amount_cents
          OR NEW.performance_code IS DISTINCT FROM OLD.performance_code OR NEW.payer IS DISTINCT FROM OLD.payer
          OR NEW.date_of_care IS DISTINCT FROM OLD.date_of_care
          OR NEW.encrypted_bsn IS DISTINCT FROM OLD.encrypted_bsn OR NEW.bsn_data_key_id IS DISTINCT FROM OLD.bsn_data_key_id
          OR (NEW.status IS DISTINCT FROM OLD.status AND (OLD.status <> 'open' OR NEW.status NOT IN ('accepted', 'rejected')))) THEN
          RAISE EXCEPTION 'declaration line % belongs to closed batch % and cannot change', OLD.id, OLD.batch_id;
        END IF;
        IF NEW.batch_id IS DISTINCT FROM OLD.batch_id AND NEW.batch_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM declaration_batches WHERE id = NEW.batch_id AND closed_at IS NULL) THEN
          RAISE EXCEPTION 'declaration line % cannot move into batch %: it is closed or does not exist', OLD.id, NEW.batch_id;
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql SET search_path FROM CURRENT`);
  }

  async down(q: QueryRunner): Promise<void> {
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
    await q.query(`DROP TRIGGER declaration_lines_with_known_data_keys_on_update ON declaration_lines`);
    await q.query(`DROP TRIGGER declaration_lines_with_known_data_keys ON declaration_lines`);
    await q.query(`DROP FUNCTION declaration_lines_with_known_data_keys()`);
    await q.query(`ALTER TABLE declaration_lines DROP CONSTRAINT declaration_lines_bsn_with_its_key`);
    await q.query(`ALTER TABLE declaration_lines DISABLE TRIGGER declaration_lines_immutable`);
    await q.query(`
      UPDATE declaration_lines l SET encrypted_bsn = l.encrypted_bsn || jsonb_build_object('keyId', k.key_id, 'alg', k.alg, 'encryptedKey', k.encrypted_key)
        FROM bsn_data_keys k WHERE k.id = l.bsn_data_key_id`);
    await q.query(`ALTER TABLE declaration_lines ENABLE TRIGGER declaration_lines_immutable`);
    await q.query(`ALTER TABLE declaration_lines DROP COLUMN bsn_data_key_id`);
    await q.query(`DROP TABLE bsn_data_keys`);
    await q.query(`DROP FUNCTION bsn_data_keys_are_kept()`);
  }
}
