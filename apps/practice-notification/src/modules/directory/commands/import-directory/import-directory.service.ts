import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PracticeRegistered } from '@draaiboek/contracts';
import { Transaction, UnitOfWork } from '@draaiboek/messaging';
import { AuditActor, AuditLog } from '@draaiboek/platform';
import { CsvFileError, GpRow, PracticeRow, readGpsCsv, readPracticesCsv, RowReport } from '../../domain/directory-csv';
import { Region } from '../../domain/region';

export interface ImportResult {
  file: 'practices' | 'gps';
  accepted: number;
  created: number;
  updated: number;
  rows: RowReport[];
}

/**
 * Imports the practice directory from CSV, all or nothing per file: one rejected row and
 * nothing is applied, with a report per row saying why. Rows update practices or GPs with
 * the same AGB code and add new ones; the directory keeps what a file does not mention.
 */
@Injectable()
export class ImportDirectoryService {
  constructor(
    private readonly db: DataSource,
    private readonly uow: UnitOfWork,
    @Inject(Region) private readonly region: Region,
    private readonly audit: AuditLog,
  ) {}

  async importPractices(csv: string): Promise<ImportResult> {
    const { reports, rows } = this.read(() => readPracticesCsv(csv, this.region));
    this.assertAllAccepted('practices', reports);
    return this.uow.run(async (tx) => {
      const { manager } = tx;
      let created = 0;
      for (const row of rows) {
        const [{ inserted }] = await manager.query(
          `INSERT INTO practices (agb, name, street, postcode, city, latitude, longitude, hagro_code, wagro_code, contact_name, contact_email)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (agb) DO UPDATE SET name = EXCLUDED.name, street = EXCLUDED.street, postcode = EXCLUDED.postcode,
             city = EXCLUDED.city, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, hagro_code = EXCLUDED.hagro_code,
             wagro_code = EXCLUDED.wagro_code, contact_name = EXCLUDED.contact_name, contact_email = EXCLUDED.contact_email, updated_at = now()
           RETURNING (xmax = 0) AS inserted`,
          practiceParams(row),
        );
        if (inserted) created++;
        await manager.query('DELETE FROM practice_catchment WHERE practice_agb = $1', [row.agb]);
        await manager.query('INSERT INTO practice_catchment (practice_agb, pc4) SELECT $1, unnest($2::text[])', [row.agb, row.catchment]);
      }
      await publishRegistrations(tx, rows.map((r) => r.agb));
      return { file: 'practices', accepted: rows.length, created, updated: rows.length - created, rows: reports };
    });
  }

  async importGps(csv: string, actor: AuditActor): Promise<ImportResult> {
    const known = new Set<string>((await this.db.query('SELECT agb FROM practices')).map((r: { agb: string }) => r.agb));
    const { reports, rows } = this.read(() => readGpsCsv(csv, known));
    this.assertAllAccepted('gps', reports);
    return this.uow.run(async (tx) => {
      const { manager } = tx;
      // A GP who moves to another practice changes the old practice's registration too.
      const previous: Array<{ practice_agb: string }> = await manager.query('SELECT DISTINCT practice_agb FROM gps WHERE agb = ANY($1::text[])', [rows.map((r) => r.agb)]);
      let created = 0;
      for (const row of rows) {
        const [{ inserted }] = await manager.query(
          `INSERT INTO gps (agb, practice_agb, name, email, fte) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (agb) DO UPDATE SET practice_agb = EXCLUDED.practice_agb, name = EXCLUDED.name, email = EXCLUDED.email,
             fte = EXCLUDED.fte, updated_at = now()
           RETURNING (xmax = 0) AS inserted`,
          gpParams(row),
        );
        if (inserted) created++;
      }
      await this.audit.record(manager, actor, rows.map((r) => ({ event: 'gp.imported', action: 'update' as const, subjectKind: 'gp' as const, subjectReference: r.agb, resourceId: r.agb })));
      await publishRegistrations(tx, [...new Set([...rows.map((r) => r.practiceAgb), ...previous.map((p) => p.practice_agb)])]);
      return { file: 'gps', accepted: rows.length, created, updated: rows.length - created, rows: reports };
    });
  }

  private read<T>(reader: () => T): T {
    try {
      return reader();
    } catch (error) {
      if (error instanceof CsvFileError) {
        throw new UnprocessableEntityException({ error: 'import_rejected', message: `Nothing was imported: ${error.message}`, rows: [] });
      }
      throw error;
    }
  }

  private assertAllAccepted(file: string, reports: RowReport[]): void {
    const rejected = reports.filter((r) => r.status === 'rejected').length;
    if (reports.length === 0) {
      throw new UnprocessableEntityException({ error: 'import_rejected', message: `Nothing was imported: the ${file} file has no rows`, rows: [] });
    }
    if (rejected > 0) {
      throw new UnprocessableEntityException({
        error: 'import_rejected',
        message: `Nothing was imported: ${rejected} of ${reports.length} rows were rejected`,
        rows: reports,
      });
    }
  }
}

function practiceParams(r: PracticeRow): unknown[] {
  return [r.agb, r.name, r.street, r.postcode, r.city, r.latitude, r.longitude, r.hagro, r.wagro, r.contactName, r.contactEmail];
}

function gpParams(r: GpRow): unknown[] {
  return [r.agb, r.practiceAgb, r.name, r.email, r.fte];
}

/** Tells rostering (clinic-scheduling) the practices' locations and GPs: AGB codes and FTE only. */
async function publishRegistrations(tx: Transaction, practiceAgbs: string[]): Promise<void> {
  const practices: Array<{ agb: string; hagro_code: string; latitude: number; longitude: number; gps: Array<{ gpAgb: string; fte: number }> }> =
    await tx.manager.query(
      `SELECT p.agb, p.hagro_code, p.latitude::float AS latitude, p.longitude::float AS longitude,
              coalesce((SELECT json_agg(json_build_object('gpAgb', g.agb, 'fte', g.fte::float) ORDER BY g.agb) FROM gps g WHERE g.practice_agb = p.agb), '[]') AS gps
         FROM practices p WHERE p.agb = ANY($1::text[]) ORDER BY p.agb`,
      [practiceAgbs],
    );
  for (const p of practices) {
    await tx.publish(PracticeRegistered.v1, { practiceAgb: p.agb, hagroCode: p.hagro_code, latitude: p.latitude, longitude: p.longitude, gps: p.gps });
  }
}


