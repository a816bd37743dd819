import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CareArrangement, CareArrangementChosen } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { enqueueMail, Principal } from '@draaiboek/platform';
import { Region } from '../../../directory/domain/region';

export interface DecisionResult {
  groupId: string;
  arrangement: CareArrangement;
  decidedFor: 'practice' | 'hagro';
  /** The notifications this decision answered: one, or every open one of the hagro for this group. */
  notificationIds: string[];
}

interface NotificationRow {
  id: string;
  group_id: string;
  practice_agb: string;
  hagro_code: string;
  municipality_code: string;
  location: { locationId: string; name: string; postcode: string; pc4: string; kind: 'reception-centre' | 'neighbourhood' };
  headcount: number;
  needs_decision: boolean;
  arrangement: CareArrangement | null;
  decided_by: string | null;
  decided_at: Date | null;
}

const ARRANGEMENT_TEXT: Record<CareArrangement, string> = {
  'own-practice': 'zorg vanuit de eigen praktijk',
  'central-location': 'een centraal spreekuur op de locatie',
};

/**
 * Rule 3: a practice's contact person, or the hagro's coordinator for the whole hagro, chooses
 * `own-practice` or `central-location`; who decided and when is kept. Rule 5: the instances
 * (municipality, GGD, GHOR, safety region) are told, by e-mail and by CareArrangementChosen.
 */
@Injectable()
export class DecideArrangementService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(Region) private readonly region: Region,
  ) {}

  decide(notificationId: string, arrangement: CareArrangement, decidedFor: 'practice' | 'hagro', principal: Principal): Promise<DecisionResult> {
    return this.uow.run(async (tx) => {
      const [notification]: NotificationRow[] = await tx.manager.query('SELECT * FROM notifications WHERE id = $1 FOR UPDATE', [notificationId]);
      if (!notification) throw new NotFoundException({ error: 'unknown_notification', message: `No notification ${notificationId}` });
      if (!mayDecide(principal, notification, decidedFor)) {
        throw new ForbiddenException({
          error: 'forbidden',
          message:
            decidedFor === 'hagro'
              ? `Only the coordinator of hagro ${notification.hagro_code} decides for the whole hagro`
              : `Only practice ${notification.practice_agb} (or its hagro's coordinator) decides for this practice`,
        });
      }
      if (!notification.needs_decision) {
        throw new ConflictException({ error: 'no_decision_asked', message: 'This notification informs; it asks for no decision' });
      }
      if (notification.arrangement) {
        throw new ConflictException({
          error: 'already_decided',
          message: `Already decided: ${notification.arrangement}`,
          arrangement: notification.arrangement,
          decidedBy: notification.decided_by,
          decidedAt: notification.decided_at,
        });
      }
      // A hagro decision answers every open request of the hagro's practices for this group.
      const targets: NotificationRow[] =
        decidedFor === 'hagro'
          ? await tx.manager.query(
              `SELECT * FROM notifications WHERE group_id = $1 AND hagro_code = $2 AND needs_decision AND arrangement IS NULL ORDER BY practice_agb FOR UPDATE`,
              [notification.group_id, notification.hagro_code],
            )
          : [notification];
      const decidedAt = new Date();
      await tx.manager.query(
        `UPDATE notifications SET arrangement = $2, decided_for = $3, decided_by = $4, decided_at = $5 WHERE id = ANY($1::uuid[])`,
        [targets.map((t) => t.id), arrangement, decidedFor, principal.id, decidedAt],
      );
      for (const target of targets) {
        await tx.publish(CareArrangementChosen.v1, {
          groupId: target.group_id,
          notificationId: target.id,
          practiceAgb: target.practice_agb,
          hagroCode: target.hagro_code,
          decidedFor,
          arrangement,
          municipalityCode: target.municipality_code,
          location: target.location,
          headcount: target.headcount,
          decidedBy: principal.id,
          decidedAt: decidedAt.toISOString(),
        });
      }
      const who = decidedFor === 'hagro' ? `hagro ${notification.hagro_code} (${targets.length} praktijk(en))` : `praktijk ${notification.practice_agb}`;
      for (const instance of this.region.instancesFor(notification.municipality_code)) {
        await enqueueMail(tx.manager, {
          to: instance.email,
          subject: `Huisartsenzorg geregeld: ${notification.location.name} (${notification.headcount} personen)`,
          text: [
            `Aan ${instance.name},`,
            '',
            `Voor de groep op ${notification.location.name} (${notification.location.postcode}), ${notification.headcount} personen,`,
            `heeft ${who} gekozen voor ${ARRANGEMENT_TEXT[arrangement]}.`,
            '',
            'Regionale coördinatie huisartsenzorg vluchtelingen',
          ].join('\n'),
          purpose: 'arrangement:instance',
          referenceId: notification.id,
        });
      }
      return { groupId: notification.group_id, arrangement, decidedFor, notificationIds: targets.map((t) => t.id) };
    });
  }
}

export function mayRead(principal: Principal, n: { practice_agb: string; hagro_code: string }): boolean {
  return (
    principal.roles.includes('coordination') ||
    (principal.roles.includes('practice') && (principal.practiceAgb === n.practice_agb || (!!principal.hagroCode && principal.hagroCode === n.hagro_code)))
  );
}

function mayDecide(principal: Principal, n: NotificationRow, decidedFor: 'practice' | 'hagro'): boolean {
  if (principal.roles.includes('coordination')) return true;
  if (!principal.roles.includes('practice')) return false;
  const hagroCoordinator = !!principal.hagroCode && principal.hagroCode === n.hagro_code;
  return decidedFor === 'hagro' ? hagroCoordinator : hagroCoordinator || principal.practiceAgb === n.practice_agb;
}
