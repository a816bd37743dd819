import { BeforeApplicationShutdown, ConflictException, Inject, Injectable, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '@draaiboek/messaging';
import { amsterdamDateOf, JsonLogger, Principal, SERVICE_CONFIG } from '@draaiboek/platform';
import { ClinicSchedulingConfig } from '../../config/clinic-scheduling.config';
import { Cadence, SessionPlanner } from '../central-locations/session-planner.service';
import { isoWeekOf } from '../consultations/domain/weekly-evaluation';
import { weeklyEvaluationOf } from '../consultations/queries/weekly-evaluation.http.controller';
import { cadenceAdvice } from './cadence-advice';

const REDUCED_WEEKDAYS = [1, 3, 5];

/**
 * Rule 8: evaluates each location's cadence (on demand and periodically), records a
 * recommendation when utilisation stays low, and on the coordination's approval replans:
 * future sessions on dropped days are cancelled and their shifts released with notice.
 */
@Injectable()
export class CadenceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly logger: JsonLogger;

  constructor(
    private readonly db: DataSource,
    private readonly uow: UnitOfWork,
    private readonly planner: SessionPlanner,
    @Inject(SERVICE_CONFIG) private readonly config: ClinicSchedulingConfig,
  ) {
    this.logger = new JsonLogger('clinic-scheduling', config.LOG_LEVEL);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.evaluateAll(), this.config.CADENCE_EVALUATION_INTERVAL_SECONDS * 1000);
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async evaluateAll(): Promise<void> {
    try {
      const locations: Array<{ id: string }> = await this.db.query('SELECT id FROM central_locations WHERE cadence IS NOT NULL');
      for (const l of locations) await this.evaluate(l.id);
    } catch (error) {
      this.logger.error({ msg: 'cadence evaluation failed', error: (error as Error).message }, 'CadenceService');
    }
  }

  async evaluate(locationId: string) {
    const [location] = await this.db.query('SELECT id, cadence FROM central_locations WHERE id = $1', [locationId]);
    if (!location) throw new NotFoundException({ error: 'unknown_central_location', message: `No central location ${locationId}` });
    if (!location.cadence) return { recommendation: null, why: 'the location has no cadence yet', weeks: [] };
    const weeks = await weeklyEvaluationOf(this.db, locationId);
    const advice = cadenceAdvice(weeks, location.cadence.weekdays, {
      threshold: this.config.CADENCE_UTILISATION_THRESHOLD,
      reducedWeekdays: REDUCED_WEEKDAYS,
      currentWeekStart: isoWeekOf(amsterdamDateOf(new Date())).weekStart,
    });
    if (!advice.recommend) return { recommendation: await this.pending(locationId), why: advice.why, weeks };
    await this.db.query(
      `INSERT INTO cadence_recommendations (id, central_location_id, based_on, current_weekdays, proposed_weekdays, status)
       VALUES ($1, $2, $3, $4, $5, 'pending') ON CONFLICT DO NOTHING`,
      [randomUUID(), locationId, JSON.stringify(advice.basedOn), location.cadence.weekdays, advice.proposedWeekdays],
    );
    return { recommendation: await this.pending(locationId), why: 'utilisation under the threshold for two consecutive weeks', weeks };
  }

  approve(recommendationId: string, principal: Principal) {
    return this.uow.run(async (tx) => {
      const rec = await this.lockPending(tx.manager, recommendationId);
      const [location] = await tx.manager.query('SELECT cadence FROM central_locations WHERE id = $1', [rec.central_location_id]);
      const cadence: Cadence = location.cadence;
      // From the next Monday to the end of the window the cadence covered.
      const today = amsterdamDateOf(new Date());
      const nextMonday = plusDays(isoWeekOf(today).weekStart, 7);
      const windowEnd = plusDays(cadence.from, cadence.weeks * 7);
      const weeks = Math.max(1, Math.ceil((Date.parse(windowEnd) - Date.parse(nextMonday)) / (7 * 86_400_000)));
      const applied = await this.planner.applyCadence(tx, rec.central_location_id, { ...cadence, weekdays: rec.proposed_weekdays, from: nextMonday, weeks });
      await tx.manager.query(`UPDATE cadence_recommendations SET status = 'approved', decided_by = $2, decided_at = now() WHERE id = $1`, [recommendationId, principal.id]);
      return { recommendationId, status: 'approved', weekdays: rec.proposed_weekdays, from: nextMonday, cancelledSessions: applied.cancelled.length };
    });
  }

  reject(recommendationId: string, reason: string, principal: Principal) {
    return this.uow.run(async (tx) => {
      await this.lockPending(tx.manager, recommendationId);
      await tx.manager.query(`UPDATE cadence_recommendations SET status = 'rejected', decided_by = $2, decided_at = now(), reason = $3 WHERE id = $1`, [
        recommendationId,
        principal.id,
        reason,
      ]);
      return { recommendationId, status: 'rejected', reason };
    });
  }

  private async pending(locationId: string) {
    const [rec] = await this.db.query(
      `SELECT id, based_on, current_weekdays, proposed_weekdays, status, created_at FROM cadence_recommendations WHERE central_location_id = $1 AND status = 'pending'`,
      [locationId],
    );
    return rec
      ? { recommendationId: rec.id, status: rec.status, currentWeekdays: rec.current_weekdays, proposedWeekdays: rec.proposed_weekdays, basedOn: rec.based_on, createdAt: rec.created_at }
      : null;
  }

  private async lockPending(manager: DataSource['manager'], id: string) {
    const [rec] = await manager.query('SELECT * FROM cadence_recommendations WHERE id = $1 FOR UPDATE', [id]);
    if (!rec) throw new NotFoundException({ error: 'unknown_recommendation', message: `No recommendation ${id}` });
    if (rec.status !== 'pending') throw new ConflictException({ error: 'already_decided', message: `The recommendation was ${rec.status}`, decidedBy: rec.decided_by, decidedAt: rec.decided_at });
    return rec as { central_location_id: string; proposed_weekdays: number[] };
  }
}

function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
