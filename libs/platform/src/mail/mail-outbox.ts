import { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createTransport, Transporter } from 'nodemailer';
import { DataSource, EntityManager } from 'typeorm';
import { PollingLoop } from '../workers/polling-loop';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** What the mail is for, e.g. `arrival-signal`; shown in the overview of sent and failed mail. */
  purpose: string;
  /** The record it is about (a notification id, ...), to find its mails again. */
  referenceId?: string;
}

export interface MailSenderOptions {
  smtpUrl: string;
  from: string;
  pollIntervalMs?: number;
  maxAttempts?: number;
  /** Backoff after the first failure; doubles per attempt up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Adds a mail to the outbox inside the caller's transaction: it is sent only if that commits. */
export async function enqueueMail(manager: EntityManager, mail: OutgoingMail): Promise<string> {
  const [id] = await enqueueMails(manager, [mail]);
  return id;
}

/** Adds several mails in one statement, inside the caller's transaction; their ids in order. */
export async function enqueueMails(manager: EntityManager, mails: readonly OutgoingMail[]): Promise<string[]> {
  if (mails.length === 0) return [];
  const ids = mails.map(() => randomUUID());
  await manager.query(
    `INSERT INTO mail_outbox (id, to_address, subject, text_body, purpose, reference_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [ids, mails.map((m) => m.to), mails.map((m) => m.subject), mails.map((m) => m.text), mails.map((m) => m.purpose), mails.map((m) => m.referenceId ?? null)],
  );
  return ids;
}

/**
 * Sends the mail outbox over SMTP, outside any consuming transaction. A row is locked
 * (`FOR UPDATE SKIP LOCKED`) while it is sent, so two replicas never send it both; a failure
 * is retried with backoff and, after the last attempt, the mail is marked failed for people
 * to see. Each mail has a stable Message-ID, so the one resend a crash between SMTP's
 * acceptance and our commit can cause is recognisable as the same message.
 */
export class MailSender {
  private transport?: Transporter;
  private readonly loop: PollingLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: MailSenderOptions,
    private readonly logger: LoggerService,
  ) {
    this.loop = new PollingLoop(() => this.sendDue(), {
      intervalMs: options.pollIntervalMs ?? 500,
      moreToDo: (handled) => handled > 0,
      onError: (error) => this.logger.error({ msg: 'mail pass failed', error: error.message }, 'MailSender'),
    });
  }

  start(): void {
    const url = new URL(this.options.smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.transport = createTransport({
      host: url.hostname,
      port: Number(url.port || (secure ? 465 : 25)),
      secure,
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      // One kept-open connection instead of a new one per mail: connecting (TCP, greeting, EHLO,
      // TLS) cost ~100 ms a mail, ten times the sending (see docs/benchmarks.md).
      pool: true,
      maxConnections: 1,
      // A mail is sent while its outbox row is locked: never wait on a silent server for minutes.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    this.loop.start();
  }

  nudge(): void {
    this.loop.nudge();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport?.close();
  }

  /** Sends what is due; returns how many mails were handled (sent or failed an attempt). */
  async sendDue(limit = 10): Promise<number> {
    const transport = this.transport;
    if (!transport) throw new Error('MailSender is not started');
    return this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; to_address: string; subject: string; text_body: string; attempts: number; purpose: string }> =
        await manager.query(
          `SELECT id, to_address, subject, text_body, attempts, purpose FROM mail_outbox
            WHERE status = 'pending' AND next_attempt_at <= now()
            ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
      for (const row of rows) {
        const attempts = row.attempts + 1;
        try {
          const info = await transport.sendMail({
            from: this.options.from,
            to: row.to_address,
            subject: row.subject,
            text: row.text_body,
            messageId: `<${row.id}@draaiboek>`,
          });
          await manager.query(`UPDATE mail_outbox SET status = 'sent', attempts = $2, sent_at = now(), message_id = $3, last_error = NULL WHERE id = $1`, [
            row.id,
            attempts,
            info.messageId,
          ]);
        } catch (error) {
          const max = this.options.maxAttempts ?? 8;
          const backoff = Math.min(this.options.maxBackoffMs ?? 600_000, (this.options.initialBackoffMs ?? 1000) * 2 ** (attempts - 1));
          const message = (error as Error).message.slice(0, 500);
          await manager.query(
            `UPDATE mail_outbox SET attempts = $2, last_error = $3, status = $4, next_attempt_at = now() + ($5 || ' milliseconds')::interval WHERE id = $1`,
            [row.id, attempts, message, attempts >= max ? 'failed' : 'pending', String(backoff)],
          );
          // Recipient addresses are personal data: log the mail's id and purpose only.
          this.logger.warn({ msg: 'mail not accepted by SMTP', mailId: row.id, purpose: row.purpose, attempts, error: message }, 'MailSender');
        }
      }
      return rows.length;
    });
  }
}
