import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sign-in links and sessions: only hashes of the secrets are stored. */
export class WebSignIn1764300000000 implements MigrationInterface {
  name = 'WebSignIn1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sign_in_links (
        token_sha256 text PRIMARY KEY,
        email_sha256 text NOT NULL,
        person jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id_sha256 text PRIMARY KEY,
        person jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX sessions_expires_idx ON sessions (expires_at)`);
    await q.query(`CREATE INDEX sign_in_links_expires_idx ON sign_in_links (expires_at)`);
    await q.query(`CREATE INDEX sign_in_links_email_idx ON sign_in_links (email_sha256, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sessions');
    await q.query('DROP TABLE sign_in_links');
  }
}
