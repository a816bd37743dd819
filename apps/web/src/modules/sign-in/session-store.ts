import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SERVICE_CONFIG } from '@draaiboek/platform';
import { WebConfig } from '../../config/web.config';
import { Person } from './person';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const secret = () => randomBytes(32).toString('base64url');
export const LINKS_PER_ADDRESS_PER_HOUR = 5;

/**
 * One-time sign-in links and sessions, in the web app's own schema. Only hashes of the secrets
 * are stored: a copy of the database signs nobody in.
 */
@Injectable()
export class SessionStore {
  constructor(
    private readonly db: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: WebConfig,
  ) {}

  /** A new link, or undefined when this address asked for too many lately (a mailbox is not to be flooded). */
  async createLink(email: string, person: Person): Promise<string | undefined> {
    await this.purgeExpired();
    const emailHash = sha256(email.trim().toLowerCase());
    const [{ recent }] = await this.db.query(`SELECT count(*)::int AS recent FROM sign_in_links WHERE email_sha256 = $1 AND created_at > now() - interval '1 hour'`, [emailHash]);
    if (recent >= LINKS_PER_ADDRESS_PER_HOUR) return undefined;
    const token = secret();
    await this.db.query(`INSERT INTO sign_in_links (token_sha256, email_sha256, person, expires_at) VALUES ($1, $2, $3, now() + ($4 || ' seconds')::interval)`, [
      sha256(token),
      emailHash,
      JSON.stringify(person),
      String(this.config.SIGN_IN_LINK_SECONDS),
    ]);
    return token;
  }

  /** The person of a link that is unused and unexpired; the link is spent by this, whatever follows. */
  async consumeLink(token: string): Promise<Person | undefined> {
    // An UPDATE ... RETURNING answers [rows, affected count] through TypeORM's pg driver.
    const [rows]: [Array<{ person: Person }>, number] = await this.db.query(
      `UPDATE sign_in_links SET used_at = now() WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > now() RETURNING person`,
      [sha256(token)],
    );
    return rows[0]?.person;
  }

  async createSession(person: Person): Promise<string> {
    const id = secret();
    await this.db.query(`INSERT INTO sessions (id_sha256, person, expires_at) VALUES ($1, $2, now() + ($3 || ' seconds')::interval)`, [
      sha256(id),
      JSON.stringify(person),
      String(this.config.SESSION_SECONDS),
    ]);
    return id;
  }

  async personOf(sessionId: string): Promise<Person | undefined> {
    const rows: Array<{ person: Person }> = await this.db.query(`SELECT person FROM sessions WHERE id_sha256 = $1 AND expires_at > now()`, [sha256(sessionId)]);
    return rows[0]?.person;
  }

  async end(sessionId: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE id_sha256 = $1', [sha256(sessionId)]);
  }

  private async purgeExpired(): Promise<void> {
    await this.db.query(`DELETE FROM sign_in_links WHERE expires_at < now() - interval '1 day'`);
    await this.db.query(`DELETE FROM sessions WHERE expires_at < now()`);
  }
}
