import { Controller, Get, Query, BadRequestException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { isCalendarDate } from '@draaiboek/contracts';
import { Access, amsterdamDateOf } from '@draaiboek/platform';

/**
 * Read side for the coordination's overview: every central location with its checklist state,
 * cadence, upcoming sessions and how many of their GP slots are filled, and a pending cadence
 * recommendation; and the roster's burden per GP.
 */
@ApiBearerAuth()
@Controller('v1')
export class CentralLocationsQueryHttpController {
  constructor(private readonly db: DataSource) {}

  @ApiOperation({ summary: 'Central locations: checklist readiness, cadence, upcoming sessions and filled GP slots, pending cadence recommendation' })
  @Get('central-locations')
  @Access('central-locations', 'read')
  async list() {
    const rows = await this.db.query(
      `SELECT c.id, c.name, c.postcode, c.reception_location_id, c.opened_because, c.opened_at, c.cadence, c.override_reason,
              c.latitude::float AS latitude, c.longitude::float AS longitude,
              (SELECT count(*)::int FROM checklist_items i WHERE i.central_location_id = c.id AND i.required AND i.done_at IS NULL) AS open_required_items,
              (SELECT count(*)::int FROM sessions s WHERE s.central_location_id = c.id AND s.status <> 'cancelled' AND s.ends_at > now()) AS upcoming_sessions,
              (SELECT coalesce(sum(s.gp_slots), 0)::int FROM sessions s WHERE s.central_location_id = c.id AND s.status <> 'cancelled' AND s.ends_at > now()) AS upcoming_slots,
              (SELECT count(*)::int FROM shifts sh JOIN sessions s ON s.id = sh.session_id
                WHERE s.central_location_id = c.id AND s.status <> 'cancelled' AND s.ends_at > now() AND sh.status = 'published') AS filled_slots,
              r.id AS recommendation_id, r.current_weekdays, r.proposed_weekdays, r.based_on
         FROM central_locations c
         LEFT JOIN cadence_recommendations r ON r.central_location_id = c.id AND r.status = 'pending'
        ORDER BY c.opened_at, c.id`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      centralLocationId: r.id,
      name: r.name,
      postcode: r.postcode,
      receptionLocationId: r.reception_location_id,
      openedBecause: r.opened_because,
      openedAt: r.opened_at,
      latitude: r.latitude,
      longitude: r.longitude,
      cadence: r.cadence ?? null,
      checklist: { openRequiredItems: r.open_required_items, overridden: !!r.override_reason, ready: !!r.override_reason || r.open_required_items === 0 },
      upcoming: { sessions: r.upcoming_sessions, gpSlots: r.upcoming_slots, filledSlots: r.filled_slots },
      pendingRecommendation: r.recommendation_id
        ? { recommendationId: r.recommendation_id, currentWeekdays: r.current_weekdays, proposedWeekdays: r.proposed_weekdays, basedOn: r.based_on }
        : null,
    }));
  }

  @ApiOperation({ summary: 'Burden per GP in [from, to): hours on standing shifts (draft and published), absolute and per FTE' })
  @Get('roster/burden')
  @Access('roster', 'burden')
  async burden(@Query('from') from?: string, @Query('to') to?: string) {
    const start = from ?? amsterdamDateOf(new Date());
    if (!isCalendarDate(start)) throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'from', messages: ['from must be a calendar date (YYYY-MM-DD)'] }] });
    const end = to ?? new Date(Date.parse(`${start}T12:00:00Z`) + 91 * 86_400_000).toISOString().slice(0, 10);
    if (!isCalendarDate(end) || end <= start) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'to', messages: ['from and to must be calendar dates, to after from'] }] });
    }
    const rows = await this.db.query(
      `SELECT g.agb, g.practice_agb, g.fte::float AS fte,
              count(sh.id) FILTER (WHERE sh.status = 'published')::int AS published,
              count(sh.id) FILTER (WHERE sh.status = 'draft')::int AS drafts,
              coalesce(sum(extract(epoch FROM s.ends_at - s.starts_at) / 3600) FILTER (WHERE sh.id IS NOT NULL), 0)::float AS hours
         FROM gps g
         LEFT JOIN shifts sh ON sh.gp_agb = g.agb AND sh.status IN ('draft', 'published')
               AND EXISTS (SELECT 1 FROM sessions x WHERE x.id = sh.session_id AND x.local_date >= $1 AND x.local_date < $2 AND x.status <> 'cancelled')
         LEFT JOIN sessions s ON s.id = sh.session_id
        WHERE g.active
        GROUP BY g.agb ORDER BY g.agb`,
      [start, end],
    );
    return {
      from: start,
      to: end,
      items: rows.map((r: { agb: string; practice_agb: string; fte: number; published: number; drafts: number; hours: number }) => ({
        gpAgb: r.agb,
        practiceAgb: r.practice_agb,
        fte: r.fte,
        publishedShifts: r.published,
        draftShifts: r.drafts,
        hours: Math.round(r.hours * 100) / 100,
        hoursPerFte: r.fte > 0 ? Math.round((r.hours / r.fte) * 100) / 100 : null,
      })),
    };
  }
}
