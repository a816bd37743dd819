import { BadRequestException, Body, Controller, ForbiddenException, Get, Header, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';
import { DataSource } from 'typeorm';
import { IsCalendarDate, isCalendarDate } from '@draaiboek/contracts';
import { CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { RosterService } from './roster.service';

export class RosterWindowDto {
  @IsCalendarDate() from!: string;
  /** Exclusive. */
  @IsCalendarDate() to!: string;
}

export class SwapRequestDto {
  @Matches(/^\d{8}$/, { message: 'withGpAgb must be an 8-digit AGB code' }) withGpAgb!: string;
}

class UnavailablePeriodDto {
  @IsCalendarDate() from!: string;
  /** Inclusive. */
  @IsCalendarDate() to!: string;
}

export class PreferencesRequestDto {
  @IsInt() @Min(0) @Max(31) maxShiftsPerMonth!: number;
  @IsInt() @Min(1) @Max(300) maxTravelKm!: number;
  /** ISO weekdays the GP can work (1 = Monday); every day when absent. */
  @IsOptional() @IsArray() @ArrayUnique() @IsIn([1, 2, 3, 4, 5, 6, 7], { each: true }) availableWeekdays?: number[];
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => UnavailablePeriodDto) unavailable!: UnavailablePeriodDto[];
}

@ApiBearerAuth()
@Controller('v1')
export class RosterHttpController {
  constructor(
    private readonly roster: RosterService,
    private readonly db: DataSource,
  ) {}

  @ApiOperation({ summary: 'Plan draft shifts for [from, to) so that burden is even over all GPs; published shifts stay' })
  @Post('roster/plan')
  @Access('roster', 'plan')
  @HttpCode(200)
  plan(@Body() body: RosterWindowDto) {
    assertWindow(body);
    return this.roster.plan(body.from, body.to).then((r) => ({
      planned: r.planned,
      assignments: r.assignments.filter((a) => !a.pinned),
      unfilled: r.unfilled,
      fairness: r.stats,
    }));
  }

  @ApiOperation({ summary: 'Publish the drafts of [from, to): ShiftAssigned for schedulers; published shifts are pinned from now on' })
  @Post('roster/publish')
  @Access('roster', 'publish')
  @HttpCode(200)
  publish(@Body() body: RosterWindowDto) {
    assertWindow(body);
    return this.roster.publish(body.from, body.to);
  }

  @ApiOperation({ summary: 'Shifts, with why each GP was chosen' })
  @Get('shifts')
  @Access('shifts', 'read')
  async shifts(
    @CurrentPrincipal() principal: Principal,
    @Query('gpAgb') gpAgb?: string,
    @Query('status') status?: string,
    @Query('practiceAgb') practiceAgb?: string,
  ) {
    const planner = principal.roles.includes('coordination') || principal.roles.includes('scheduler');
    // A practice's contact person sees the shifts of the practice's GPs; a GP their own.
    const ownPractice = !planner && !!practiceAgb && principal.roles.includes('practice') && principal.practiceAgb === practiceAgb;
    if (!planner && !ownPractice && !principal.roles.includes('gp')) {
      throw new ForbiddenException({ error: 'forbidden', message: "A practice reads its own GPs' shifts: ask with practiceAgb" });
    }
    const gp = planner ? gpAgb : ownPractice ? undefined : principal.gpAgb;
    const practice = planner || ownPractice ? (practiceAgb ?? null) : null;
    if (status !== undefined && !['draft', 'published', 'released'].includes(status)) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'status', messages: ['status must be draft, published or released'] }] });
    }
    const rows = await this.db.query(
      `SELECT sh.id, sh.session_id, sh.slot, sh.gp_agb, sh.status, sh.explanation, sh.refill, s.starts_at, s.ends_at, to_char(s.local_date, 'YYYY-MM-DD') AS local_date,
              c.id AS location_id, c.name AS location_name
         FROM shifts sh JOIN sessions s ON s.id = sh.session_id JOIN central_locations c ON c.id = s.central_location_id
        WHERE ($1::text IS NULL OR sh.gp_agb = $1) AND ($2::text IS NULL OR sh.status = $2)
          AND ($3::boolean OR sh.status <> 'draft')
          AND ($4::text IS NULL OR sh.gp_agb IN (SELECT agb FROM gps WHERE practice_agb = $4))
        ORDER BY s.starts_at, sh.slot LIMIT 5000`,
      [gp ?? null, status ?? null, principal.roles.includes('coordination'), practice],
    );
    return rows.map((r: Record<string, unknown>) => ({
      shiftId: r.id,
      sessionId: r.session_id,
      slot: r.slot,
      gpAgb: r.gp_agb,
      status: r.status,
      refill: r.refill,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      localDate: r.local_date,
      location: { centralLocationId: r.location_id, name: r.location_name },
      why: r.explanation,
    }));
  }

  @ApiOperation({ summary: 'Give a published shift back (the GP on it, or the coordination); the gap is refilled by the same rules' })
  @Post('shifts/:shiftId/release')
  @Access('shifts', 'release')
  @HttpCode(200)
  release(@Param('shiftId', new ParseUUIDPipe()) shiftId: string, @CurrentPrincipal() principal: Principal) {
    return this.roster.release(shiftId, principal);
  }

  @ApiOperation({ summary: 'Hand a published shift to another GP who is eligible by every hard rule' })
  @Post('shifts/:shiftId/swap')
  @Access('shifts', 'swap')
  @HttpCode(200)
  swap(@Param('shiftId', new ParseUUIDPipe()) shiftId: string, @Body() body: SwapRequestDto, @CurrentPrincipal() principal: Principal) {
    return this.roster.swap(shiftId, body.withGpAgb, principal);
  }

  @ApiOperation({ summary: "A GP's availability, unavailability, maximum shifts per month and maximum travel distance" })
  @Put('gps/:gpAgb/preferences')
  @Access('gp-preferences', 'set')
  async preferences(@Param('gpAgb') gpAgb: string, @Body() body: PreferencesRequestDto, @CurrentPrincipal() principal: Principal) {
    if (!principal.roles.includes('coordination') && principal.gpAgb !== gpAgb) throw new ForbiddenException({ error: 'forbidden', message: 'A GP sets only their own preferences' });
    for (const [i, p] of body.unavailable.entries()) {
      if (p.to < p.from) throw new BadRequestException({ error: 'validation_failed', fields: [{ field: `unavailable.${i}.to`, messages: ['to must not lie before from'] }] });
    }
    const updated = await this.db.query(
      `UPDATE gps SET max_shifts_per_month = $2, max_travel_km = $3, available_weekdays = $4, unavailable = $5 WHERE agb = $1 RETURNING agb`,
      [gpAgb, body.maxShiftsPerMonth, body.maxTravelKm, body.availableWeekdays ?? null, JSON.stringify(body.unavailable)],
    );
    if (updated[1] === 0) throw new NotFoundException({ error: 'unknown_gp', message: `No GP ${gpAgb} in the directory` });
    return { gpAgb, ...body };
  }

  @ApiOperation({ summary: "A GP's current availability, unavailability, maximum shifts per month and travel distance" })
  @Get('gps/:gpAgb/preferences')
  @Access('gp-preferences', 'read')
  async currentPreferences(@Param('gpAgb') gpAgb: string, @CurrentPrincipal() principal: Principal) {
    if (!principal.roles.includes('coordination') && principal.gpAgb !== gpAgb) throw new ForbiddenException({ error: 'forbidden', message: 'A GP reads only their own preferences' });
    const [row] = await this.db.query('SELECT max_shifts_per_month, max_travel_km, available_weekdays, unavailable FROM gps WHERE agb = $1', [gpAgb]);
    if (!row) throw new NotFoundException({ error: 'unknown_gp', message: `No GP ${gpAgb} in the directory` });
    return { gpAgb, maxShiftsPerMonth: row.max_shifts_per_month, maxTravelKm: row.max_travel_km, availableWeekdays: row.available_weekdays ?? undefined, unavailable: row.unavailable };
  }

  @ApiOperation({ summary: "A GP's shifts as an iCalendar feed (released shifts appear as cancelled)" })
  @Get('gps/:gpAgb/shifts.ics')
  @Access('shifts', 'calendar')
  @Header('content-type', 'text/calendar; charset=utf-8')
  async calendar(@Param('gpAgb') gpAgb: string, @CurrentPrincipal() principal: Principal): Promise<string> {
    if (principal.roles.includes('gp') && !principal.roles.includes('coordination') && principal.gpAgb !== gpAgb) {
      throw new ForbiddenException({ error: 'forbidden', message: 'A GP reads only their own calendar' });
    }
    const rows: Array<{ id: string; status: string; starts_at: Date; ends_at: Date; name: string; postcode: string; published_at: Date | null; released_at: Date | null }> =
      await this.db.query(
        `SELECT sh.id, sh.status, s.starts_at, s.ends_at, c.name, c.postcode, sh.published_at, sh.released_at
           FROM shifts sh JOIN sessions s ON s.id = sh.session_id JOIN central_locations c ON c.id = s.central_location_id
          WHERE sh.gp_agb = $1 AND sh.status IN ('published', 'released') AND sh.published_at IS NOT NULL
          ORDER BY s.starts_at`,
        [gpAgb],
      );
    return icalendar(rows);
  }
}

function assertWindow(window: RosterWindowDto): void {
  if (!isCalendarDate(window.from) || !isCalendarDate(window.to) || window.to <= window.from) {
    throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'to', messages: ['to must lie after from'] }] });
  }
  if (Date.parse(window.to) - Date.parse(window.from) > 190 * 86_400_000) {
    throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'to', messages: ['a planning window is at most 26 weeks'] }] });
  }
}

/** RFC 5545, times in UTC; a released shift stays in the feed as CANCELLED so calendars remove it. */
export function icalendar(rows: Array<{ id: string; status: string; starts_at: Date; ends_at: Date; name: string; postcode: string; released_at: Date | null }>): string {
  const stamp = (d: Date) => new Date(d).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Draaiboek//Diensten//NL', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'X-WR-CALNAME:Draaiboek diensten'];
  for (const r of rows) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${r.id}@draaiboek`,
      `DTSTAMP:${stamp(r.released_at ?? r.starts_at)}`,
      `DTSTART:${stamp(r.starts_at)}`,
      `DTEND:${stamp(r.ends_at)}`,
      `SUMMARY:${escape(`Spreekuur ${r.name}`)}`,
      `LOCATION:${escape(`${r.name}, ${r.postcode}`)}`,
      `STATUS:${r.status === 'released' ? 'CANCELLED' : 'CONFIRMED'}`,
      `SEQUENCE:${r.status === 'released' ? 1 : 0}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}
