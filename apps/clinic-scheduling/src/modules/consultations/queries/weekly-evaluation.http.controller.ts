import { Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Access } from '@draaiboek/platform';
import { HeldSession, WeekEvaluation, weeklyEvaluation } from '../domain/weekly-evaluation';

@ApiBearerAuth()
@Controller('v1/central-locations/:locationId/weekly-evaluation')
export class WeeklyEvaluationHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @ApiOperation({
    summary: 'Per ISO week: sessions held, capacity, consultations (booked and walk-in), no-shows and utilisation, for the cadence evaluation',
  })
  @Get()
  @Access('weekly-evaluation', 'read')
  async evaluate(@Param('locationId', new ParseUUIDPipe()) locationId: string): Promise<{ centralLocationId: string; weeks: WeekEvaluation[] }> {
    const [location] = await this.dataSource.query('SELECT id FROM central_locations WHERE id = $1', [locationId]);
    if (!location) throw new NotFoundException({ error: 'unknown_central_location', message: `No central location ${locationId}` });
    return { centralLocationId: locationId, weeks: await weeklyEvaluationOf(this.dataSource, locationId) };
  }
}

/** The weekly evaluation of a location's sessions held so far (rule 8). */
export async function weeklyEvaluationOf(db: { query: DataSource['query'] }, locationId: string): Promise<WeekEvaluation[]> {
    const rows: Array<{ local_date: string; capacity: number; booked: number; walk_ins: number; no_shows: number }> = await db.query(
      `SELECT to_char(s.local_date, 'YYYY-MM-DD') AS local_date, s.capacity,
              (SELECT count(*)::int FROM consultations c WHERE c.session_id = s.id AND NOT c.walk_in) AS booked,
              (SELECT count(*)::int FROM consultations c WHERE c.session_id = s.id AND c.walk_in) AS walk_ins,
              coalesce(a.no_shows, 0) AS no_shows
         FROM sessions s
         LEFT JOIN session_attendance a ON a.session_id = s.id
        WHERE s.central_location_id = $1 AND s.status <> 'cancelled' AND s.starts_at <= $2
        ORDER BY s.starts_at`,
      [locationId, new Date()],
    );
    const held: HeldSession[] = rows.map((r) => ({ localDate: r.local_date, capacity: r.capacity, booked: r.booked, walkIns: r.walk_ins, noShows: r.no_shows }));
  return weeklyEvaluation(held);
}
