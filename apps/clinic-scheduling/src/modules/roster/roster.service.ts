import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ShiftAssigned, ShiftReleased } from '@draaiboek/contracts';
import { Transaction, UnitOfWork } from '@draaiboek/messaging';
import { Principal, SERVICE_CONFIG } from '@draaiboek/platform';
import { ClinicSchedulingConfig } from '../../config/clinic-scheduling.config';
import { isoWeekday } from '../central-locations/session-planner.service';
import { RosterGp, RosterResult, RosterSlot, solveRoster } from './domain/roster-solver';

interface SessionRow {
  id: string;
  central_location_id: string;
  location_name: string;
  latitude: number | null;
  longitude: number | null;
  starts_at: Date;
  ends_at: Date;
  local_date: string;
  gp_slots: number;
}

interface StandingShift {
  id: string;
  session_id: string;
  slot: number;
  gp_agb: string;
  status: 'draft' | 'published';
}

const DAY = 86_400_000;

/**
 * The roster (rule 7): plans draft shifts for a window with the fair solver, publishes them
 * (published shifts are pinned in later planning), and refills a released shift by the same rules.
 */
@Injectable()
export class RosterService {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(SERVICE_CONFIG) private readonly config: ClinicSchedulingConfig,
  ) {}

  /** Replans the draft horizon [from, to) (Amsterdam dates); published shifts stay as they are. */
  plan(from: string, to: string): Promise<RosterResult & { planned: number }> {
    return this.uow.run(async (tx) => {
      await tx.manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['draaiboek:roster']);
      const window = windowOf(from, to, this.config.BURDEN_WINDOW_DAYS);
      await tx.manager.query(
        `DELETE FROM shifts WHERE status = 'draft' AND session_id IN (SELECT id FROM sessions WHERE local_date >= $1 AND local_date < $2)`,
        [from, to],
      );
      const { gps, slots, unplaceable } = await this.inputs(tx.manager, window, (s) => s.local_date >= from && s.local_date < to);
      const result = solveRoster(gps, slots, this.rules());
      let planned = 0;
      for (const a of result.assignments) {
        if (a.pinned) continue;
        const [sessionId, slot] = a.slotId.split('#');
        await tx.manager.query(`INSERT INTO shifts (id, session_id, slot, gp_agb, status, explanation) VALUES ($1, $2, $3, $4, 'draft', $5)`, [
          randomUUID(),
          sessionId,
          Number(slot),
          a.gpAgb,
          JSON.stringify(a.explanation),
        ]);
        planned++;
      }
      return { ...result, unfilled: [...unplaceable, ...result.unfilled], planned };
    });
  }

  /** Publishes the drafts of [from, to): they become pinned, and schedulers are told (ShiftAssigned). */
  publish(from: string, to: string): Promise<{ published: number }> {
    return this.uow.run(async (tx) => {
      const drafts: Array<{ id: string; session_id: string; gp_agb: string; practice_agb: string; central_location_id: string; starts_at: Date; ends_at: Date; local_date: string }> =
        await tx.manager.query(
          `SELECT sh.id, sh.session_id, sh.gp_agb, g.practice_agb, s.central_location_id, s.starts_at, s.ends_at, to_char(s.local_date, 'YYYY-MM-DD') AS local_date
             FROM shifts sh JOIN sessions s ON s.id = sh.session_id JOIN gps g ON g.agb = sh.gp_agb
            WHERE sh.status = 'draft' AND s.status = 'scheduled' AND s.local_date >= $1 AND s.local_date < $2
            ORDER BY s.starts_at, sh.slot FOR UPDATE OF sh`,
          [from, to],
        );
      for (const d of drafts) {
        await tx.manager.query(`UPDATE shifts SET status = 'published', published_at = now() WHERE id = $1`, [d.id]);
        await tx.publish(ShiftAssigned.v1, {
          shiftId: d.id,
          sessionId: d.session_id,
          centralLocationId: d.central_location_id,
          gpAgb: d.gp_agb,
          practiceAgb: d.practice_agb,
          startsAt: new Date(d.starts_at).toISOString(),
          endsAt: new Date(d.ends_at).toISOString(),
          localDate: d.local_date,
          refill: false,
        });
      }
      return { published: drafts.length };
    });
  }

  /** A GP gives a published shift back; the gap is refilled by the same rules, the GP left out. */
  release(shiftId: string, principal: Principal) {
    return this.uow.run(async (tx) => {
      const shift = await this.publishedShift(tx.manager, shiftId, principal);
      await this.markReleased(tx, shift, 'released-by-gp');
      const refill = await this.fill(tx, shift.session_id, shift.slot, { exclude: shift.gp_agb });
      return { released: shiftId, refill };
    });
  }

  /** Hands a published shift to another GP, if that GP is eligible by every hard rule. */
  swap(shiftId: string, withGpAgb: string, principal: Principal) {
    return this.uow.run(async (tx) => {
      const shift = await this.publishedShift(tx.manager, shiftId, principal);
      if (withGpAgb === shift.gp_agb) throw new ConflictException({ error: 'same_gp', message: 'The shift is already this GP’s' });
      await tx.manager.query(`UPDATE shifts SET status = 'released', released_at = now(), release_reason = 'swapped' WHERE id = $1`, [shift.id]);
      const refill = await this.fill(tx, shift.session_id, shift.slot, { only: withGpAgb });
      if (!refill) {
        throw new ConflictException({ error: 'not_eligible', message: `GP ${withGpAgb} cannot take this shift (availability, overlap, rest, monthly maximum or travel distance)` });
      }
      await tx.publish(ShiftReleased.v1, { shiftId: shift.id, sessionId: shift.session_id, gpAgb: shift.gp_agb, startsAt: new Date(shift.starts_at).toISOString(), reason: 'swapped' as const });
      return { released: shiftId, refill };
    });
  }

  private async publishedShift(manager: EntityManager, shiftId: string, principal: Principal) {
    const [shift]: Array<StandingShift & { starts_at: Date }> = await manager.query(
      `SELECT sh.id, sh.session_id, sh.slot, sh.gp_agb, sh.status, s.starts_at FROM shifts sh JOIN sessions s ON s.id = sh.session_id WHERE sh.id = $1 FOR UPDATE OF sh`,
      [shiftId],
    );
    if (!shift) throw new NotFoundException({ error: 'unknown_shift', message: `No shift ${shiftId}` });
    if (!principal.roles.includes('coordination') && principal.gpAgb !== shift.gp_agb) {
      throw new ForbiddenException({ error: 'forbidden', message: 'Only the GP on the shift, or the coordination, can give it away' });
    }
    if (shift.status !== 'published') throw new ConflictException({ error: 'shift_not_published', message: `The shift is ${shift.status}` });
    if (new Date(shift.starts_at).getTime() <= Date.now()) throw new ConflictException({ error: 'shift_started', message: 'A shift that has started cannot be released' });
    return shift;
  }

  private async markReleased(tx: Transaction, shift: StandingShift & { starts_at: Date }, reason: 'released-by-gp'): Promise<void> {
    await tx.manager.query(`UPDATE shifts SET status = 'released', released_at = now(), release_reason = $2 WHERE id = $1`, [shift.id, reason]);
    await tx.publish(ShiftReleased.v1, { shiftId: shift.id, sessionId: shift.session_id, gpAgb: shift.gp_agb, startsAt: new Date(shift.starts_at).toISOString(), reason });
  }

  /** Fills one slot of a session with a published shift, every other standing shift pinned. */
  private async fill(tx: Transaction, sessionId: string, slot: number, restrict: { exclude?: string; only?: string }) {
    const [session] = await tx.manager.query(`SELECT to_char(local_date, 'YYYY-MM-DD') AS local_date FROM sessions WHERE id = $1`, [sessionId]);
    const window = windowOf(session.local_date, session.local_date, this.config.BURDEN_WINDOW_DAYS);
    const { gps, slots } = await this.inputs(tx.manager, window, (s) => s.id === sessionId);
    const candidates = gps.filter((g) => (restrict.only ? g.gpAgb === restrict.only : g.gpAgb !== restrict.exclude));
    const slotId = `${sessionId}#${slot}`;
    // The open slot, and every standing shift as pinned (the solver drops pins of GPs not given to it).
    const open = slots.filter((s) => s.slotId === slotId || s.pinnedGpAgb);
    const result = solveRoster(candidates, open.map((s) => (s.slotId === slotId ? { ...s, pinnedGpAgb: undefined } : s)), this.rules());
    const chosen = result.assignments.find((a) => a.slotId === slotId);
    if (!chosen) return null;
    const id = randomUUID();
    await tx.manager.query(`INSERT INTO shifts (id, session_id, slot, gp_agb, status, explanation, refill, published_at) VALUES ($1, $2, $3, $4, 'published', $5, true, now())`, [
      id,
      sessionId,
      slot,
      chosen.gpAgb,
      JSON.stringify(chosen.explanation),
    ]);
    const [d] = await tx.manager.query(
      `SELECT g.practice_agb, s.central_location_id, s.starts_at, s.ends_at, to_char(s.local_date, 'YYYY-MM-DD') AS local_date
         FROM sessions s, gps g WHERE s.id = $1 AND g.agb = $2`,
      [sessionId, chosen.gpAgb],
    );
    await tx.publish(ShiftAssigned.v1, {
      shiftId: id,
      sessionId,
      centralLocationId: d.central_location_id,
      gpAgb: chosen.gpAgb,
      practiceAgb: d.practice_agb,
      startsAt: new Date(d.starts_at).toISOString(),
      endsAt: new Date(d.ends_at).toISOString(),
      localDate: d.local_date,
      refill: true,
    });
    return { shiftId: id, gpAgb: chosen.gpAgb, explanation: chosen.explanation };
  }

  /**
   * The solver's input. Open slots: the sessions `wanted` picks. Pinned: every published shift
   * of the months the window touches, so monthly maxima, overlap and rest see them.
   */
  private async inputs(manager: EntityManager, window: { monthStart: string; monthEnd: string; burdenFrom: string; from: string }, wanted: (s: SessionRow) => boolean) {
    const gpRows: Array<{ agb: string; practice_agb: string; latitude: number; longitude: number; caseload: number; practice_fte: number; max_shifts_per_month: number; max_travel_km: number; available_weekdays: number[] | null; unavailable: Array<{ from: string; to: string }> }> =
      await manager.query(
        `SELECT g.agb, g.practice_agb, p.latitude::float AS latitude, p.longitude::float AS longitude, coalesce(c.caseload, 0) AS caseload,
                (SELECT coalesce(sum(fte), 0)::float FROM gps g2 WHERE g2.practice_agb = p.agb AND g2.active) AS practice_fte,
                g.max_shifts_per_month, g.max_travel_km, g.available_weekdays, g.unavailable
           FROM gps g JOIN practices p ON p.agb = g.practice_agb LEFT JOIN practice_caseloads c ON c.practice_agb = p.agb
          WHERE g.active`,
      );
    const worked: Array<{ gp_agb: string; hours: number }> = await manager.query(
      `SELECT sh.gp_agb, sum(extract(epoch FROM s.ends_at - s.starts_at) / 3600)::float AS hours
         FROM shifts sh JOIN sessions s ON s.id = sh.session_id
        WHERE sh.status = 'published' AND s.local_date >= $1 AND s.local_date < $2 GROUP BY sh.gp_agb`,
      [window.burdenFrom, window.from],
    );
    const hoursOf = new Map(worked.map((w) => [w.gp_agb, w.hours]));
    const gps: RosterGp[] = gpRows.map((g) => ({
      gpAgb: g.agb,
      practiceAgb: g.practice_agb,
      lat: g.latitude,
      lon: g.longitude,
      caseloadBurden: g.practice_fte > 0 ? (g.caseload / g.practice_fte) * this.config.BURDEN_HOURS_PER_REFUGEE_PER_FTE : 0,
      hoursWorked: hoursOf.get(g.agb) ?? 0,
      maxShiftsPerMonth: g.max_shifts_per_month,
      maxTravelKm: g.max_travel_km,
      availableWeekdays: g.available_weekdays ?? undefined,
      unavailable: (g.unavailable ?? []).map((u) => ({ from: Date.parse(`${u.from}T00:00:00Z`) - 2 * 3_600_000, to: Date.parse(`${u.to}T00:00:00Z`) + DAY })),
    }));

    const sessions: SessionRow[] = await manager.query(
      `SELECT s.id, s.central_location_id, c.name AS location_name, c.latitude::float AS latitude, c.longitude::float AS longitude,
              s.starts_at, s.ends_at, to_char(s.local_date, 'YYYY-MM-DD') AS local_date, s.gp_slots
         FROM sessions s JOIN central_locations c ON c.id = s.central_location_id
        WHERE s.status = 'scheduled' AND s.local_date >= $1 AND s.local_date < $2 ORDER BY s.starts_at, s.id`,
      [window.monthStart, window.monthEnd],
    );
    const standing: StandingShift[] = await manager.query(
      `SELECT sh.id, sh.session_id, sh.slot, sh.gp_agb, sh.status FROM shifts sh JOIN sessions s ON s.id = sh.session_id
        WHERE sh.status <> 'released' AND s.local_date >= $1 AND s.local_date < $2`,
      [window.monthStart, window.monthEnd],
    );
    const standingAt = new Map(standing.map((s) => [`${s.session_id}#${s.slot}`, s]));
    const slots: RosterSlot[] = [];
    const unplaceable: RosterResult['unfilled'] = [];
    for (const s of sessions) {
      const open = wanted(s);
      for (let slot = 0; slot < s.gp_slots; slot++) {
        const slotId = `${s.id}#${slot}`;
        const shift = standingAt.get(slotId);
        const pinned = shift && (shift.status === 'published' || !open) ? shift.gp_agb : undefined;
        if (!open && !pinned) continue;
        if (s.latitude === null || s.longitude === null) {
          if (open && !pinned) unplaceable.push({ slotId, reason: `central location ${s.location_name} has no coordinates` });
          continue;
        }
        slots.push({
          slotId,
          sessionId: s.id,
          locationId: s.central_location_id,
          lat: s.latitude,
          lon: s.longitude,
          startsAt: new Date(s.starts_at).getTime(),
          endsAt: new Date(s.ends_at).getTime(),
          weekday: isoWeekday(s.local_date),
          month: s.local_date.slice(0, 7),
          pinnedGpAgb: pinned,
        });
      }
    }
    return { gps, slots, unplaceable };
  }

  private rules() {
    return { minRestHours: this.config.MIN_REST_HOURS, distanceWeightPerKm: this.config.DISTANCE_WEIGHT_PER_KM };
  }
}

function windowOf(from: string, to: string, burdenWindowDays: number) {
  const monthStart = `${from.slice(0, 7)}-01`;
  const end = new Date(`${to.slice(0, 7)}-01T12:00:00Z`);
  end.setUTCMonth(end.getUTCMonth() + 1);
  return {
    from,
    monthStart,
    monthEnd: end.toISOString().slice(0, 10),
    burdenFrom: new Date(Date.parse(`${from}T12:00:00Z`) - burdenWindowDays * DAY).toISOString().slice(0, 10),
  };
}

