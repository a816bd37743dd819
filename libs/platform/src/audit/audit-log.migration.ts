import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The NEN 7513 audit log of person-level data, in every service's own schema. Append-only:
 * a trigger refuses UPDATE and DELETE, and TRUNCATE, whoever asks.
 */
export class AuditLog1764300000000 implements MigrationInterface {
  name = 'AuditLog1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        event text NOT NULL,
        action text NOT NULL CHECK (action IN ('create', 'read', 'update', 'export')),
        subject_kind text NOT NULL CHECK (subject_kind IN ('patient', 'gp')),
        subject_reference text NOT NULL,
        resource_id text,
        user_id text NOT NULL,
        responsible_user_id text NOT NULL,
        correlation_id text
      )`);
    await q.query('CREATE INDEX audit_log_subject_idx ON audit_log (subject_kind, subject_reference, occurred_at)');
    await q.query(`
      CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_log');
    await q.query('DROP FUNCTION audit_log_is_append_only()');
  }
}
