import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An audit entry may name an immutable set of patients instead of one patient (subject kind
 * `patient-set`, the set's reference as subject): one entry for an action on every patient of,
 * say, a closed declaration batch. `AuditLog.about` finds it for each patient of the set.
 */
export class AuditPatientSets1764800000000 implements MigrationInterface {
  name = 'AuditPatientSets1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_log DROP CONSTRAINT audit_log_subject_kind_check');
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject_kind_check CHECK (subject_kind IN ('patient', 'gp', 'patient-set'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_log DROP CONSTRAINT audit_log_subject_kind_check');
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject_kind_check CHECK (subject_kind IN ('patient', 'gp'))`);
  }
}
