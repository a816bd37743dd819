import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The expression index on each line's BSN key id served no query: re-encryption looks for
 * `encrypted_bsn->>'keyId' <> $1`, which a B-tree cannot search, so Postgres scanned the table
 * (or the primary key) with or without it. It still cost an entry (and a JSON lookup) for every
 * new line with a BSN (decision 0031).
 */
export class DropUnusedBsnKeyIndex1764100500000 implements MigrationInterface {
  name = 'DropUnusedBsnKeyIndex1764100500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS declaration_lines_bsn_key_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX declaration_lines_bsn_key_idx ON declaration_lines ((encrypted_bsn->>'keyId')) WHERE encrypted_bsn IS NOT NULL`);
  }
}
