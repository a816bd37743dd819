import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CaseloadReported, IsCalendarDate, isCalendarDate } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { amsterdamDateOf, CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { DataSource } from 'typeorm';
import { Inject } from '@nestjs/common';
import { Region } from '../directory/domain/region';

export class ReportCaseloadRequestDto {
  /** How many refugees the practice cares for now. */
  @IsInt() @Min(0) @Max(100000)
  refugeeCount!: number;

  /** The date the figure holds for (Europe/Amsterdam); today when absent. */
  @IsOptional() @IsCalendarDate()
  reportedOn?: string;
}

type OverviewLevel = 'practice' | 'hagro' | 'municipality' | 'central-location';

/**
 * Rule 6: each practice's contact person keeps its refugee count current; the overview per
 * practice, hagro, municipality and central location is visible to all practices of the region.
 */
@ApiBearerAuth()
@Controller('v1')
export class CaseloadHttpController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly db: DataSource,
    @Inject(Region) private readonly region: Region,
  ) {}

  @ApiOperation({ summary: "Report the practice's current refugee caseload (its contact person, or the coordination)" })
  @Post('practices/:agb/caseload')
  @Access('caseload', 'report')
  @HttpCode(201)
  report(@Param('agb') agb: string, @Body() body: ReportCaseloadRequestDto, @CurrentPrincipal() principal: Principal) {
    const reportedOn = body.reportedOn ?? amsterdamDateOf(new Date());
    if (reportedOn > amsterdamDateOf(new Date())) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'reportedOn', messages: ['reportedOn cannot lie in the future'] }] });
    }
    return this.uow.run(async (tx) => {
      const [practice] = await tx.manager.query(
        `SELECT p.agb, p.hagro_code, p.postcode, coalesce((SELECT sum(fte) FROM gps g WHERE g.practice_agb = p.agb), 0)::float AS fte
           FROM practices p WHERE p.agb = $1`,
        [agb],
      );
      const own = principal.roles.includes('coordination') || principal.practiceAgb === agb;
      if (!practice || !own) throw new NotFoundException({ error: 'unknown_practice', message: `No practice ${agb} for this credential` });
      const id = randomUUID();
      await tx.manager.query(`INSERT INTO caseload_reports (id, practice_agb, reported_on, refugee_count, reported_by) VALUES ($1, $2, $3, $4, $5)`, [
        id,
        agb,
        reportedOn,
        body.refugeeCount,
        principal.id,
      ]);
      const municipality = this.region.municipalityOfPc4(String(practice.postcode).slice(0, 4));
      await tx.publish(CaseloadReported.v1, {
        practiceAgb: agb,
        hagroCode: practice.hagro_code,
        ...(municipality ? { municipalityCode: municipality.code } : {}),
        reportedOn,
        refugeeCount: body.refugeeCount,
        gpFte: Math.round(practice.fte * 100) / 100,
      });
      return { reportId: id, practiceAgb: agb, reportedOn, refugeeCount: body.refugeeCount };
    });
  }

  @ApiOperation({
    summary: 'Care burden overview per practice, hagro, municipality or central location: absolute, per GP FTE, and who has not reported this week',
  })
  @Get('caseload/overview')
  @Access('caseload', 'read')
  async overview(@Query('by') by: OverviewLevel = 'practice', @Query('date') date?: string) {
    if (!['practice', 'hagro', 'municipality', 'central-location'].includes(by)) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'by', messages: ['by must be practice, hagro, municipality or central-location'] }] });
    }
    if (date !== undefined && !isCalendarDate(date)) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'date', messages: ['date must be a calendar date (YYYY-MM-DD)'] }] });
    }
    const onDate = date ?? amsterdamDateOf(new Date());
    if (by === 'central-location') return { date: onDate, by, items: await this.centralLocations() };

    // Each practice's latest figure on or before the date; "reported this week" = in the ISO week of the date.
    const practices: Array<{ agb: string; name: string; hagro_code: string; postcode: string; fte: number; refugees: number | null; reported_on: string | null }> =
      await this.db.query(
        `SELECT p.agb, p.name, p.hagro_code, p.postcode,
                coalesce((SELECT sum(fte) FROM gps g WHERE g.practice_agb = p.agb), 0)::float AS fte,
                r.refugee_count AS refugees, to_char(r.reported_on, 'YYYY-MM-DD') AS reported_on
           FROM practices p
           LEFT JOIN LATERAL (SELECT refugee_count, reported_on FROM caseload_reports c
                               WHERE c.practice_agb = p.agb AND c.reported_on <= $1
                               ORDER BY reported_on DESC, created_at DESC LIMIT 1) r ON true
          ORDER BY p.agb`,
        [onDate],
      );
    const weekStart = isoWeekStart(onDate);
    const keyOf = (p: (typeof practices)[number]): string =>
      by === 'practice' ? p.agb : by === 'hagro' ? p.hagro_code : (this.region.municipalityOfPc4(p.postcode.slice(0, 4))?.code ?? 'unknown');
    const groups = new Map<string, { key: string; name: string; refugees: number; fte: number; practices: number; reportedThisWeek: number; notReported: string[] }>();
    for (const p of practices) {
      const key = keyOf(p);
      const name = by === 'practice' ? p.name : by === 'hagro' ? (this.region.hagro(key)?.name ?? key) : (this.region.file.municipalities.find((m) => m.code === key)?.name ?? key);
      const entry = groups.get(key) ?? { key, name, refugees: 0, fte: 0, practices: 0, reportedThisWeek: 0, notReported: [] };
      entry.refugees += p.refugees ?? 0;
      entry.fte += p.fte;
      entry.practices += 1;
      if (p.reported_on && p.reported_on >= weekStart) entry.reportedThisWeek += 1;
      else entry.notReported.push(p.agb);
      groups.set(key, entry);
    }
    return {
      date: onDate,
      by,
      weekStarting: weekStart,
      items: [...groups.values()].map((g) => ({
        key: g.key,
        name: g.name,
        refugees: g.refugees,
        gpFte: round2(g.fte),
        refugeesPerGpFte: g.fte > 0 ? round2(g.refugees / g.fte) : null,
        practices: g.practices,
        reportedThisWeek: g.reportedThisWeek,
        completeness: round2(g.reportedThisWeek / g.practices),
        notReportedThisWeek: g.notReported,
      })),
    };
  }

  /** Refugees whose care runs through a central location: groups whose practices chose it. */
  private async centralLocations() {
    const rows = await this.db.query(
      `SELECT g.location_id, g.location_name, g.municipality_code, sum(g.headcount)::int AS refugees, count(*)::int AS groups
         FROM arrived_groups g
        WHERE g.status = 'active'
          AND EXISTS (SELECT 1 FROM notifications n WHERE n.group_id = g.group_id AND n.arrangement = 'central-location')
        GROUP BY g.location_id, g.location_name, g.municipality_code ORDER BY g.location_name`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      key: r.location_id,
      name: r.location_name,
      municipalityCode: r.municipality_code,
      refugees: r.refugees,
      groups: r.groups,
    }));
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Monday of the ISO week of `date` (YYYY-MM-DD). */
export function isoWeekStart(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day);
  return d.toISOString().slice(0, 10);
}
