import { Inject, Injectable, LoggerService, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { UnitOfWork } from '@draaiboek/messaging';
import { enqueueMail, SERVICE_CONFIG } from '@draaiboek/platform';
import { PracticeNotificationConfig } from '../../config/practice-notification.config';
import { SignalService } from './signal.service';
import { MAIL_SENDER_LOGGER } from '../mail/mail.module';

/**
 * No answer after REMINDER_AFTER_SECONDS: a reminder to the practice. Still none after
 * ESCALATION_AFTER_SECONDS: the coordination is alerted. Each happens once per notification;
 * `FOR UPDATE SKIP LOCKED` keeps replicas from doing it twice.
 */
@Injectable()
export class DeadlineWatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly signals: SignalService,
    @Inject(SERVICE_CONFIG) private readonly config: PracticeNotificationConfig,
    @Inject(MAIL_SENDER_LOGGER) private readonly logger: LoggerService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.checkDeadlines()
        .catch((error) => this.logger.error({ msg: 'deadline check failed', error: (error as Error).message }, 'DeadlineWatcher'))
        .finally(() => (this.running = undefined));
    }, this.config.DEADLINE_CHECK_INTERVAL_SECONDS * 1000);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async checkDeadlines(): Promise<{ reminded: number; escalated: number }> {
    return this.uow.run(async (tx) => {
      const due: Array<{ id: string; group_id: string; practice_agb: string; contact_email: string; name: string; location: { name: string }; headcount: number; escalate: boolean }> =
        await tx.manager.query(
          `SELECT n.id, n.group_id, n.practice_agb, p.contact_email, p.name, n.location, n.headcount,
                  (n.created_at + make_interval(secs => $2) <= now() AND n.escalated_at IS NULL) AS escalate
             FROM notifications n JOIN practices p ON p.agb = n.practice_agb
            WHERE n.needs_decision AND n.arrangement IS NULL
              AND ((n.reminded_at IS NULL AND n.created_at + make_interval(secs => $1) <= now())
                OR (n.escalated_at IS NULL AND n.created_at + make_interval(secs => $2) <= now()))
            ORDER BY n.created_at LIMIT 200 FOR UPDATE OF n SKIP LOCKED`,
          [this.config.REMINDER_AFTER_SECONDS, this.config.ESCALATION_AFTER_SECONDS],
        );
      let reminded = 0;
      let escalated = 0;
      for (const n of due) {
        if (n.escalate) {
          await this.signals.alertCoordination(
            tx,
            n.group_id,
            'no-answer',
            `Praktijk ${n.name} (${n.practice_agb}) heeft nog niet gekozen voor de groep op ${n.location.name} (${n.headcount} personen).`,
            n.id,
          );
          await tx.manager.query('UPDATE notifications SET escalated_at = now(), reminded_at = coalesce(reminded_at, now()) WHERE id = $1', [n.id]);
          escalated++;
        } else {
          await enqueueMail(tx.manager, {
            to: n.contact_email,
            subject: `Herinnering: keuze gevraagd voor ${n.location.name} (${n.headcount} personen)`,
            text: `Wij hebben uw keuze voor de groep op ${n.location.name} nog niet ontvangen.\n\nGeef uw keuze door via: ${this.config.PUBLIC_BASE_URL}/v1/notifications/${n.id}`,
            purpose: 'signal:reminder',
            referenceId: n.id,
          });
          await tx.manager.query('UPDATE notifications SET reminded_at = now() WHERE id = $1', [n.id]);
          reminded++;
        }
      }
      return { reminded, escalated };
    });
  }
}
