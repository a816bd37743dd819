import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SessionCancelled, SessionChanged, SessionScheduled, ShiftReleased } from '@draaiboek/contracts';
import { Transaction } from '@draaiboek/messaging';
import { amsterdamToUtc, SERVICE_CONFIG } from '@draaiboek/platform';
import { ClinicSchedulingConfig } from '../../config/clinic-scheduling.config';
import { CentralLocationService } from './central-location.service';
import { gpSlotsFor } from './domain/gp-slots';

export interface Cadence {
  /** ISO weekdays, 1 = Monday. */
  weekdays: number[];
  startTime: string;
  endTime: string;
  /** First day of the schedule (Europe/Amsterdam). */
  from: string;
  weeks: number;
  /** Consultations per refugee per session; the service's default when absent. */
  consultationRate?: number;
  /** A fixed capacity instead of one derived from the headcount. */
  capacity?: number;
}

/**
 * Sessions (spreekuren) follow a location's cadence (rule 8): every chosen weekday in the window,
 * with a capacity derived from the headcount at the reception location and a consultation rate.
 * A new cadence cancels future sessions on days it no longer has; their shifts are released.
 */
@Injectable()
export class SessionPlanner {
  constructor(
    private readonly locations: CentralLocationService,
    @Inject(SERVICE_CONFIG) private readonly config: ClinicSchedulingConfig,
  ) {}

  async applyCadence(
    tx: Transaction,
    locationId: string,
    cadence: Cadence,
  ): Promise<{ scheduled: string[]; changed: string[]; cancelled: string[]; capacity: number; gpSlots: number }> {
    await this.locations.assertReady(tx.manager, locationId);
    const [location] = await tx.manager.query('SELECT id, name, reception_location_id FROM central_locations WHERE id = $1 FOR UPDATE', [locationId]);
    const [{ headcount }] = await tx.manager.query(
      `SELECT coalesce(sum(headcount), 0)::int AS headcount FROM known_groups WHERE location_id = $1 AND status = 'active'`,
      [location.reception_location_id],
    );
    const rate = cadence.consultationRate ?? this.config.CONSULTATION_RATE;
    const capacity = cadence.capacity ?? Math.max(1, Math.ceil(headcount * rate));
    const first = amsterdamToUtc(cadence.from, cadence.startTime);
    const minutes = (amsterdamToUtc(cadence.from, cadence.endTime).getTime() - first.getTime()) / 60000;
    const gpSlots = gpSlotsFor(capacity, minutes, this.config.CONSULTATIONS_PER_GP_HOUR);

    const scheduled: string[] = [];
    const changed: string[] = [];
    for (const date of datesOf(cadence.from, cadence.weeks * 7)) {
      if (!cadence.weekdays.includes(isoWeekday(date))) continue;
      const startsAt = amsterdamToUtc(date, cadence.startTime);
      if (startsAt.getTime() <= Date.now()) continue;
      const endsAt = amsterdamToUtc(date, cadence.endTime);
      const [existing] = await tx.manager.query(
        `SELECT id, starts_at, ends_at, capacity, gp_slots FROM sessions WHERE central_location_id = $1 AND local_date = $2 AND status = 'scheduled'`,
        [locationId, date],
      );
      if (existing) {
        const same =
          new Date(existing.starts_at).getTime() === startsAt.getTime() &&
          new Date(existing.ends_at).getTime() === endsAt.getTime() &&
          existing.capacity === capacity &&
          existing.gp_slots === gpSlots;
        if (!same) {
          await this.change(tx, locationId, existing.id, date, startsAt, endsAt, capacity, gpSlots);
          changed.push(existing.id);
        }
        continue;
      }
      const id = randomUUID();
      await tx.manager.query(
        `INSERT INTO sessions (id, central_location_id, local_date, starts_at, ends_at, capacity, gp_slots, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'scheduled')`,
        [id, locationId, date, startsAt, endsAt, capacity, gpSlots],
      );
      await tx.publish(SessionScheduled.v1, {
        sessionId: id,
        centralLocationId: locationId,
        locationName: location.name,
        localDate: date,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        capacity,
        gpSlots,
      });
      scheduled.push(id);
    }

    // Future sessions on weekdays the cadence dropped (ISODOW: 1 = Monday).
    const dropped: Array<{ id: string; local_date: string }> = await tx.manager.query(
      `SELECT id, to_char(local_date, 'YYYY-MM-DD') AS local_date FROM sessions
        WHERE central_location_id = $1 AND status = 'scheduled' AND local_date >= $2 AND starts_at > now()
          AND NOT (extract(isodow FROM local_date)::int = ANY($3::int[]))`,
      [locationId, cadence.from, cadence.weekdays],
    );
    for (const session of dropped) await this.cancel(tx, locationId, session.id, session.local_date, 'cadence-reduced');
    await tx.manager.query('UPDATE central_locations SET cadence = $2 WHERE id = $1', [locationId, JSON.stringify({ ...cadence, consultationRate: rate })]);
    return { scheduled, changed, cancelled: dropped.map((d) => d.id), capacity, gpSlots };
  }

  /**
   * New times or capacity for a scheduled session: SessionChanged. Shifts of slots the session no
   * longer has are released; when the times move, the GPs' published shifts are released too,
   * since they agreed to the old hours (the roster refills them by the same rules).
   */
  private async change(tx: Transaction, locationId: string, sessionId: string, date: string, startsAt: Date, endsAt: Date, capacity: number, gpSlots: number): Promise<void> {
    const [before] = await tx.manager.query('SELECT starts_at, ends_at FROM sessions WHERE id = $1', [sessionId]);
    const moved = new Date(before.starts_at).getTime() !== startsAt.getTime() || new Date(before.ends_at).getTime() !== endsAt.getTime();
    await tx.manager.query('UPDATE sessions SET starts_at = $2, ends_at = $3, capacity = $4, gp_slots = $5 WHERE id = $1', [sessionId, startsAt, endsAt, capacity, gpSlots]);
    await tx.manager.query(`DELETE FROM shifts WHERE session_id = $1 AND status = 'draft' AND ($2 OR slot >= $3)`, [sessionId, moved, gpSlots]);
    const affected: Array<{ id: string; gp_agb: string }> = await tx.manager.query(
      `SELECT id, gp_agb FROM shifts WHERE session_id = $1 AND status = 'published' AND ($2 OR slot >= $3)`,
      [sessionId, moved, gpSlots],
    );
    for (const shift of affected) {
      await tx.manager.query(`UPDATE shifts SET status = 'released', released_at = now(), release_reason = 'session-cancelled' WHERE id = $1`, [shift.id]);
      await tx.publish(ShiftReleased.v1, { shiftId: shift.id, sessionId, gpAgb: shift.gp_agb, startsAt: new Date(before.starts_at).toISOString(), reason: 'session-cancelled' as const });
    }
    await tx.publish(SessionChanged.v1, {
      sessionId,
      centralLocationId: locationId,
      localDate: date,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      capacity,
      gpSlots,
    });
  }

  /** Cancels a session; its draft shifts go, its published shifts are released with notice. */
  async cancel(tx: Transaction, locationId: string, sessionId: string, localDate: string, reason: 'cadence-reduced' | 'coordination' | 'location-closed'): Promise<void> {
    await tx.manager.query(`UPDATE sessions SET status = 'cancelled', cancelled_reason = $2 WHERE id = $1`, [sessionId, reason]);
    await tx.manager.query(`DELETE FROM shifts WHERE session_id = $1 AND status = 'draft'`, [sessionId]);
    const published: Array<{ id: string; gp_agb: string; starts_at: Date }> = await tx.manager.query(
      `SELECT sh.id, sh.gp_agb, s.starts_at FROM shifts sh JOIN sessions s ON s.id = sh.session_id WHERE sh.session_id = $1 AND sh.status = 'published'`,
      [sessionId],
    );
    const releaseReason = reason === 'cadence-reduced' ? ('cadence-reduced' as const) : ('session-cancelled' as const);
    for (const shift of published) {
      await tx.manager.query(`UPDATE shifts SET status = 'released', released_at = now(), release_reason = $2 WHERE id = $1`, [shift.id, releaseReason]);
      await tx.publish(ShiftReleased.v1, {
        shiftId: shift.id,
        sessionId,
        gpAgb: shift.gp_agb,
        startsAt: new Date(shift.starts_at).toISOString(),
        reason: releaseReason,
      });
    }
    await tx.publish(SessionCancelled.v1, { sessionId, centralLocationId: locationId, localDate, reason });
  }
}

export function datesOf(from: string, days: number): string[] {
  const start = new Date(`${from}T12:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10));
}

export function isoWeekday(date: string): number {
  return ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
}
