import { MigrationInterface, QueryRunner } from 'typeorm';

/** A rejected line can be corrected once: the correction is a new line that goes into a later batch. */
export class LineCorrections1764100200000 implements MigrationInterface {
  name = 'LineCorrections1764100200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE declaration_lines ADD COLUMN corrects_line_id uuid REFERENCES declaration_lines (id)`);
    await q.query(`ALTER TABLE declaration_lines ADD COLUMN corrected_by text`);
    await q.query(`ALTER TABLE declaration_lines DROP CONSTRAINT declaration_lines_consultation_id_key`);
    // One original line per consultation (replays land here), one correction per rejected line.
    await q.query(`CREATE UNIQUE INDEX declaration_lines_one_per_consultation ON declaration_lines (consultation_id) WHERE corrects_line_id IS NULL`);
    await q.query(`CREATE UNIQUE INDEX declaration_lines_one_correction ON declaration_lines (corrects_line_id) WHERE corrects_line_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX declaration_lines_one_correction');
    await q.query('DROP INDEX declaration_lines_one_per_consultation');
    await q.query('ALTER TABLE declaration_lines ADD CONSTRAINT declaration_lines_consultation_id_key UNIQUE (consultation_id)');
    await q.query('ALTER TABLE declaration_lines DROP COLUMN corrected_by');
    await q.query('ALTER TABLE declaration_lines DROP COLUMN corrects_line_id');
  }
}
