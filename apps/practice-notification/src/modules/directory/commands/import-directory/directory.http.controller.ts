import { BadRequestException, Body, Controller, Get, Header, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import { Access, actorOf, AuditLog, CurrentPrincipal, Principal } from '@draaiboek/platform';
import { GP_COLUMNS, PRACTICE_COLUMNS } from '../../domain/directory-csv';
import { ImportDirectoryService, ImportResult } from './import-directory.service';

@ApiBearerAuth()
@Controller('v1/directory')
export class DirectoryHttpController {
  constructor(
    private readonly imports: ImportDirectoryService,
    private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  @ApiOperation({ summary: `Import practices from CSV (${PRACTICE_COLUMNS.join(',')}); all or nothing, with a report per row` })
  @ApiConsumes('text/csv')
  @Post('practices')
  @Access('practice-directory', 'import')
  @HttpCode(200)
  importPractices(@Body() csv: unknown, @Headers('content-type') contentType?: string): Promise<ImportResult> {
    return this.imports.importPractices(csvBody(csv, contentType));
  }

  @ApiOperation({ summary: `Import GPs from CSV (${GP_COLUMNS.join(',')}); all or nothing, with a report per row` })
  @ApiConsumes('text/csv')
  @Post('gps')
  @Access('gp-directory', 'import')
  @HttpCode(200)
  importGps(@Body() csv: unknown, @CurrentPrincipal() principal: Principal, @Headers('content-type') contentType?: string): Promise<ImportResult> {
    return this.imports.importGps(csvBody(csv, contentType), actorOf(principal));
  }

  @ApiOperation({ summary: 'Export the practices as CSV, in the import format' })
  @Get('practices.csv')
  @Access('practice-directory', 'export')
  @Header('content-type', 'text/csv; charset=utf-8')
  async exportPractices(): Promise<string> {
    const rows = await this.db.query(
      `SELECT p.agb, p.name, p.street, p.postcode, p.city, p.latitude::text, p.longitude::text, p.hagro_code AS hagro,
              coalesce(p.wagro_code, '') AS wagro, string_agg(c.pc4, ' ' ORDER BY c.pc4) AS catchment, p.contact_name, p.contact_email
         FROM practices p LEFT JOIN practice_catchment c ON c.practice_agb = p.agb GROUP BY p.agb ORDER BY p.agb`,
    );
    return stringify(rows, { header: true, columns: [...PRACTICE_COLUMNS] });
  }

  @ApiOperation({ summary: 'Export the GPs as CSV, in the import format' })
  @Get('gps.csv')
  @Access('gp-directory', 'export')
  @Header('content-type', 'text/csv; charset=utf-8')
  async exportGps(@CurrentPrincipal() principal: Principal): Promise<string> {
    return this.db.transaction(async (manager) => {
      const rows = await manager.query(`SELECT agb, practice_agb, name, email, fte::text FROM gps ORDER BY agb`);
      await this.audit.record(manager, actorOf(principal), rows.map((r: { agb: string }) => ({ event: 'gp.exported', action: 'export' as const, subjectKind: 'gp' as const, subjectReference: r.agb, resourceId: r.agb })));
      return stringify(rows, { header: true, columns: [...GP_COLUMNS] });
    });
  }

  @ApiOperation({ summary: 'The practices of the region, with hagro, catchment and GP capacity' })
  @Get('practices')
  @Access('practice-directory', 'read')
  async practices(@Query('hagro') hagro?: string, @Query('pc4') pc4?: string): Promise<unknown[]> {
    if (pc4 !== undefined && !/^[1-9]\d{3}$/.test(pc4)) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'pc4', messages: ['pc4 must be 4 digits'] }] });
    }
    const rows = await this.db.query(
      `SELECT p.agb, p.name, p.city, p.postcode, p.hagro_code, p.wagro_code, p.latitude::float AS latitude, p.longitude::float AS longitude,
              (SELECT array_agg(pc4 ORDER BY pc4) FROM practice_catchment c WHERE c.practice_agb = p.agb) AS catchment,
              (SELECT count(*)::int FROM gps g WHERE g.practice_agb = p.agb) AS gp_count,
              (SELECT coalesce(sum(fte), 0)::float FROM gps g WHERE g.practice_agb = p.agb) AS gp_fte
         FROM practices p
        WHERE ($1::text IS NULL OR p.hagro_code = $1)
          AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM practice_catchment c WHERE c.practice_agb = p.agb AND c.pc4 = $2))
        ORDER BY p.hagro_code, p.name`,
      [hagro ?? null, pc4 ?? null],
    );
    return rows.map((r: Record<string, unknown>) => ({
      agb: r.agb,
      name: r.name,
      city: r.city,
      postcode: r.postcode,
      hagro: r.hagro_code,
      wagro: r.wagro_code,
      latitude: r.latitude,
      longitude: r.longitude,
      catchment: r.catchment ?? [],
      gpCount: r.gp_count,
      gpFte: r.gp_fte,
    }));
  }
}

function csvBody(body: unknown, contentType: string | undefined): string {
  if (typeof body !== 'string' || !contentType?.startsWith('text/csv')) {
    throw new BadRequestException({ error: 'validation_failed', fields: [{ field: '', messages: ['send the file as the body with Content-Type: text/csv'] }] });
  }
  return body;
}
