import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NotificationReason, PracticeNotified } from '@draaiboek/contracts';
import { Transaction } from '@draaiboek/messaging';
import { enqueueMail, enqueueMails, SERVICE_CONFIG } from '@draaiboek/platform';
import { PracticeNotificationConfig } from '../../config/practice-notification.config';
import { Region } from '../directory/domain/region';
import { adviceFor, GroupFacts, signalMail } from './domain/messages';

interface PracticeContact {
  agb: string;
  name: string;
  hagro_code: string;
  contact_email: string;
}

/**
 * Rule 1: every practice whose catchment covers the location is told, by e-mail to its contact
 * person and in its in-app inbox, with the advice of rule 2. If none covers it, the coordination
 * is alerted. Everything is written in the caller's (inbox) transaction; mail leaves afterwards.
 */
@Injectable()
export class SignalService {
  constructor(
    @Inject(Region) private readonly region: Region,
    @Inject(SERVICE_CONFIG) private readonly config: PracticeNotificationConfig,
  ) {}

  get threshold(): number {
    return this.config.CENTRAL_LOCATION_THRESHOLD ?? this.region.file.centralLocationThreshold;
  }

  /** Signals the practices covering the group's location and asks each for its choice. */
  async signalArea(tx: Transaction, group: GroupFacts, reason: 'arrival' | 'relocated-here'): Promise<number> {
    const practices: PracticeContact[] = await tx.manager.query(
      `SELECT p.agb, p.name, p.hagro_code, p.contact_email FROM practices p
         JOIN practice_catchment c ON c.practice_agb = p.agb WHERE c.pc4 = $1 ORDER BY p.agb`,
      [group.location.pc4],
    );
    if (practices.length === 0) {
      await this.alertCoordination(
        tx,
        group.groupId,
        'no-practice-covers-location',
        `Geen praktijk heeft postcodegebied ${group.location.pc4} (${group.location.name}) in haar werkgebied; ${group.headcount} personen, aankomst ${group.arrivalDate}.`,
      );
      return 0;
    }
    return this.notify(tx, practices, group, reason, true);
  }

  /** Tells the practices signalled before for a group what changed (no new choice asked). */
  async updateSignalled(tx: Transaction, group: GroupFacts, reason: NotificationReason): Promise<number> {
    const practices: PracticeContact[] = await tx.manager.query(
      `SELECT DISTINCT p.agb, p.name, p.hagro_code, p.contact_email FROM notifications n JOIN practices p ON p.agb = n.practice_agb
        WHERE n.group_id = $1 AND n.reason IN ('arrival', 'relocated-here') ORDER BY p.agb`,
      [group.groupId],
    );
    await this.notify(tx, practices, group, reason, false);
    return practices.length;
  }

  async alertCoordination(tx: Transaction, groupId: string, kind: string, message: string, notificationId?: string): Promise<void> {
    const id = randomUUID();
    await tx.manager.query(`INSERT INTO coordination_alerts (id, group_id, kind, message, notification_id) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      groupId,
      kind,
      message,
      notificationId ?? null,
    ]);
    await enqueueMail(tx.manager, {
      to: this.region.coordination.email,
      subject: `Draaiboek: actie nodig (${kind})`,
      text: `${message}\n\nOverzicht van meldingen: ${this.config.PUBLIC_BASE_URL}/v1/alerts`,
      purpose: `alert:${kind}`,
      referenceId: id,
    });
  }

  /**
   * One notification, one e-mail and one PracticeNotified per practice, each kind written in one
   * statement whatever the number of practices. Returns how many practices were newly notified.
   */
  private async notify(tx: Transaction, practices: PracticeContact[], group: GroupFacts, reason: NotificationReason, needsDecision: boolean): Promise<number> {
    if (practices.length === 0) return 0;
    const advice = adviceFor(group.headcount, this.threshold);
    const ids = practices.map(() => randomUUID());
    // The unique index on (group, practice) for arrival signals absorbs a replayed event.
    const inserted: Array<{ id: string }> = await tx.manager.query(
      `INSERT INTO notifications (id, group_id, practice_agb, hagro_code, reason, municipality_code, location, headcount, arrival_date, advice, needs_decision)
       SELECT n.id, $3::uuid, n.practice_agb, n.hagro_code, $4::text, $5::text, $6::jsonb, $7::int, $8::date, $9::text, $10::boolean
         FROM unnest($1::uuid[], $2::text[], $11::text[]) WITH ORDINALITY AS n(id, practice_agb, hagro_code, ord)
        ORDER BY n.ord
       ON CONFLICT DO NOTHING RETURNING id`,
      [ids, practices.map((p) => p.agb), group.groupId, reason, group.municipalityCode, group.location, group.headcount, group.arrivalDate, advice, needsDecision, practices.map((p) => p.hagro_code)],
    );
    const fresh = new Set(inserted.map((r) => r.id));
    const notified = practices.map((practice, i) => ({ practice, id: ids[i] })).filter((n) => fresh.has(n.id));
    if (notified.length === 0) return 0;
    await enqueueMails(
      tx.manager,
      notified.map(({ practice, id }) => ({
        to: practice.contact_email,
        ...signalMail({
          reason,
          practiceName: practice.name,
          group,
          advice,
          threshold: this.threshold,
          needsDecision,
          link: `${this.config.PUBLIC_BASE_URL}/v1/notifications/${id}`,
        }),
        purpose: `signal:${reason}`,
        referenceId: id,
      })),
    );
    await tx.publishMany(
      PracticeNotified.v1,
      notified.map(({ practice, id }) => ({
        notificationId: id,
        groupId: group.groupId,
        practiceAgb: practice.agb,
        hagroCode: practice.hagro_code,
        municipalityCode: group.municipalityCode,
        reason,
        location: { ...group.location, kind: group.location.kind as 'reception-centre' | 'neighbourhood' },
        headcount: group.headcount,
        arrivalDate: group.arrivalDate,
        advice,
      })),
    );
    return notified.length;
  }
}
