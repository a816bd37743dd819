import { Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { amsterdamDateOf, CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { MunicipalityRegistry } from '../../municipalities/municipality-registry';
import { ListGroupsQueryDto, LocationsQueryDto, TotalsQueryDto } from './overview.query-params.dto';

/**
 * Read side for the overview. A municipal system sees its own municipality only, whatever it
 * asks for; the coordination reads everything.
 */
@ApiBearerAuth()
@Controller('v1')
export class OverviewHttpController {
  constructor(
    private readonly db: DataSource,
    @Inject(MunicipalityRegistry) private readonly municipalities: MunicipalityRegistry,
  ) {}

  @ApiOperation({ summary: 'Groups by municipality, location and status' })
  @Get('groups')
  @Access('groups', 'read')
  async listGroups(@Query() query: ListGroupsQueryDto, @CurrentPrincipal() principal: Principal) {
    const municipalityCode = scopeOf(principal, query.municipalityCode);
    const where: string[] = [];
    const params: unknown[] = [];
    if (municipalityCode) where.push(`g.municipality_code = $${params.push(municipalityCode)}`);
    if (query.reference) where.push(`g.reference = $${params.push(query.reference)}`);
    if (query.locationId) where.push(`g.location_id = $${params.push(query.locationId)}`);
    if (query.status) where.push(`g.status = $${params.push(query.status)}`);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM refugee_groups g ${filter}`, params);
    const rows = await this.db.query(
      `SELECT g.id, g.municipality_code, g.reference, g.headcount, to_char(g.arrival_date, 'YYYY-MM-DD') AS arrival_date, g.status,
              to_char(g.last_change_date, 'YYYY-MM-DD') AS last_change_date,
              l.id AS location_id, l.name AS location_name, l.postcode, l.kind
         FROM refugee_groups g JOIN reception_locations l ON l.id = g.location_id
         ${filter}
        ORDER BY g.arrival_date DESC, g.id
        LIMIT ${query.limit ?? 100} OFFSET ${query.offset ?? 0}`,
      params,
    );
    return { total, items: rows.map(groupView) };
  }

  @ApiOperation({ summary: 'One group with its changes' })
  @Get('groups/:groupId')
  @Access('groups', 'read')
  async group(@Param('groupId', new ParseUUIDPipe()) groupId: string, @CurrentPrincipal() principal: Principal) {
    const [row] = await this.db.query(
      `SELECT g.id, g.municipality_code, g.reference, g.headcount, to_char(g.arrival_date, 'YYYY-MM-DD') AS arrival_date, g.status,
              to_char(g.last_change_date, 'YYYY-MM-DD') AS last_change_date, g.composition, g.with_bsn_count,
              l.id AS location_id, l.name AS location_name, l.postcode, l.kind
         FROM refugee_groups g JOIN reception_locations l ON l.id = g.location_id WHERE g.id = $1`,
      [groupId],
    );
    if (!row || !mayRead(principal, row.municipality_code)) throw new NotFoundException({ error: 'unknown_group', message: `No group ${groupId}` });
    const changes = await this.db.query(
      `SELECT id, change_reference, kind, request, to_char(effective_date, 'YYYY-MM-DD') AS effective_date, recorded_at
         FROM group_changes WHERE group_id = $1 ORDER BY recorded_at, id`,
      [groupId],
    );
    return {
      ...groupView(row),
      composition: row.composition,
      withBsnCount: row.with_bsn_count,
      changes: changes.map((c: Record<string, unknown>) => ({
        changeId: c.id,
        changeReference: c.change_reference,
        kind: c.kind,
        effectiveDate: c.effective_date,
        request: c.request,
        recordedAt: c.recorded_at,
      })),
    };
  }

  @ApiOperation({ summary: 'Reception locations: status, capacity, population on a date (today by default)' })
  @Get('locations')
  @Access('locations', 'read')
  async locations(@Query() query: LocationsQueryDto, @CurrentPrincipal() principal: Principal) {
    const date = query.date ?? amsterdamDateOf(new Date());
    const municipalityCode = scopeOf(principal, query.municipalityCode);
    const params: unknown[] = [date];
    const filter = municipalityCode ? `WHERE l.municipality_code = $${params.push(municipalityCode)}` : '';
    const rows = await this.db.query(
      `SELECT l.id, l.name, l.postcode, l.pc4, l.kind, l.municipality_code, l.capacity,
              coalesce(sum(e.delta) FILTER (WHERE e.effective_date <= $1), 0)::int AS population,
              coalesce(sum(e.delta), 0)::int AS population_planned
         FROM reception_locations l LEFT JOIN population_entries e ON e.location_id = l.id
         ${filter}
        GROUP BY l.id ORDER BY l.municipality_code, l.name`,
      params,
    );
    return {
      date,
      items: rows.map((r: Record<string, unknown>) => ({
        locationId: r.id,
        name: r.name,
        postcode: r.postcode,
        pc4: r.pc4,
        kind: r.kind,
        municipalityCode: r.municipality_code,
        capacity: r.capacity,
        population: r.population,
        status: (r.population as number) > 0 ? 'occupied' : (r.population_planned as number) > 0 ? 'expected' : 'empty',
      })),
    };
  }

  @ApiOperation({ summary: 'The dated population history of one reception location' })
  @Get('locations/:locationId/population-history')
  @Access('locations', 'read')
  async populationHistory(@Param('locationId', new ParseUUIDPipe()) locationId: string, @CurrentPrincipal() principal: Principal) {
    const [location] = await this.db.query('SELECT id, municipality_code FROM reception_locations WHERE id = $1', [locationId]);
    if (!location || !mayRead(principal, location.municipality_code)) {
      throw new NotFoundException({ error: 'unknown_location', message: `No location ${locationId}` });
    }
    const rows = await this.db.query(
      `SELECT to_char(effective_date, 'YYYY-MM-DD') AS date, sum(delta)::int AS change,
              (sum(sum(delta)) OVER (ORDER BY effective_date))::int AS population
         FROM population_entries WHERE location_id = $1 GROUP BY effective_date HAVING sum(delta) <> 0 ORDER BY effective_date`,
      [locationId],
    );
    return { locationId, history: rows };
  }

  @ApiOperation({ summary: 'Refugees present per municipality or per location on a date' })
  @Get('totals')
  @Access('intake-totals', 'read')
  async totals(@Query() query: TotalsQueryDto, @CurrentPrincipal() principal: Principal) {
    const date = query.date ?? amsterdamDateOf(new Date());
    const municipalityCode = scopeOf(principal, query.municipalityCode);
    const params: unknown[] = [date];
    const scope = municipalityCode ? `AND e.municipality_code = $${params.push(municipalityCode)}` : '';
    if (query.by === 'municipality') {
      const rows = await this.db.query(
        `SELECT e.municipality_code, sum(e.delta)::int AS population, count(DISTINCT e.group_id) FILTER (WHERE e.delta <> 0)::int AS groups_touched
           FROM population_entries e WHERE e.effective_date <= $1 ${scope}
          GROUP BY e.municipality_code HAVING sum(e.delta) <> 0 ORDER BY e.municipality_code`,
        params,
      );
      return {
        date,
        by: 'municipality',
        items: rows.map((r: Record<string, unknown>) => ({
          municipalityCode: r.municipality_code,
          name: this.municipalities.nameOf(r.municipality_code as string),
          population: r.population,
        })),
      };
    }
    const rows = await this.db.query(
      `SELECT l.id, l.name, l.municipality_code, l.capacity, sum(e.delta)::int AS population
         FROM population_entries e JOIN reception_locations l ON l.id = e.location_id
        WHERE e.effective_date <= $1 ${scope}
        GROUP BY l.id HAVING sum(e.delta) <> 0 ORDER BY l.municipality_code, l.name`,
      params,
    );
    return {
      date,
      by: 'location',
      items: rows.map((r: Record<string, unknown>) => ({
        locationId: r.id,
        name: r.name,
        municipalityCode: r.municipality_code,
        capacity: r.capacity,
        population: r.population,
      })),
    };
  }
}

function scopeOf(principal: Principal, requested: string | undefined): string | undefined {
  if (principal.roles.includes('coordination')) return requested;
  // A municipal system's view is its own municipality, whatever it asked for.
  return principal.municipalityCode ?? 'none';
}

function mayRead(principal: Principal, municipalityCode: string): boolean {
  return principal.roles.includes('coordination') || principal.municipalityCode === municipalityCode;
}

function groupView(r: Record<string, unknown>) {
  return {
    groupId: r.id,
    municipalityCode: r.municipality_code,
    reference: r.reference,
    location: { locationId: r.location_id, name: r.location_name, postcode: r.postcode, kind: r.kind },
    headcount: r.headcount,
    arrivalDate: r.arrival_date,
    status: r.status,
    lastChangeDate: r.last_change_date,
  };
}
