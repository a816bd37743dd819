import { Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query, BadRequestException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { isCalendarDate } from '@draaiboek/contracts';
import { UnitOfWork } from '@draaiboek/messaging';
import { actorOf, AuditLog, CurrentPrincipal, Principal, Access, SERVICE_CONFIG, uuidV7 } from '@draaiboek/platform';
import { DataSource } from 'typeorm';
import { DeclarationsConfig } from '../../config/declarations.config';
import { keyOf, lineStateSql, openBatchesFor, periodOf } from '../batches/open-batches';
import { TariffTable } from '../tariffs/tariff-table';
import { Payer } from './domain/payer-routing';

export class CorrectionRequestDto {
  /** The corrected performance code; the original one when absent. */
  @IsOptional() @Matches(/^\d{5}$/) performanceCode?: string;
}

@ApiBearerAuth()
@Controller('v1')
export class CorrectionsHttpController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly db: DataSource,
    @Inject(TariffTable) private readonly tariffs: TariffTable,
    private readonly audit: AuditLog,
    @Inject(SERVICE_CONFIG) private readonly config: DeclarationsConfig,
  ) {}

  @ApiOperation({ summary: 'Correct a rejected line: a new open line that goes into a later batch (once per rejected line)' })
  @Post('lines/:lineId/correction')
  @Access('declaration-lines', 'correct')
  @HttpCode(201)
  correct(@Param('lineId', new ParseUUIDPipe()) lineId: string, @Body() body: CorrectionRequestDto, @CurrentPrincipal() principal: Principal) {
    return this.uow.run(async ({ manager }) => {
      const [line] = await manager.query(
        `SELECT l.id, ${lineStateSql('l', 'b')} AS status, l.performance_code, l.payer, l.patient_pseudonym, to_char(l.date_of_care, 'YYYY-MM-DD') AS care_date
           FROM declaration_lines l LEFT JOIN declaration_batches b ON b.id = l.batch_id WHERE l.id = $1`,
        [lineId],
      );
      if (!line) throw new NotFoundException({ error: 'unknown_line', message: `No line ${lineId}` });
      if (line.status !== 'rejected') throw new ConflictException({ error: 'not_rejected', message: `Only a rejected line can be corrected; this one is ${line.status}` });
      const [existing] = await manager.query('SELECT id FROM declaration_lines WHERE corrects_line_id = $1', [lineId]);
      if (existing) throw new ConflictException({ error: 'already_corrected', message: 'This line was corrected before', correctionId: existing.id });
      const code = body.performanceCode ?? line.performance_code;
      const tariff = this.tariffs.lookup(code, line.payer as Payer, line.care_date);
      if (!tariff.ok) throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'performanceCode', messages: [tariff.message] }] });
      const id = uuidV7();
      // Into the open batch of its payer and period: a new one, since the rejected line's batch is closed.
      const key = { payer: line.payer, ...periodOf(line.care_date, this.config.BATCH_PERIOD ?? 'week') };
      const batchId = (await openBatchesFor(manager, [key])).get(keyOf(key));
      await manager.query(
        `INSERT INTO declaration_lines (id, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, performance_code, duration_class,
                                        payer, payer_scheme, amount_cents, tariff_version, status, patient_pseudonym, encrypted_bsn, bsn_data_key_id, corrects_line_id, corrected_by, batch_id)
         SELECT $1, consultation_id, session_id, central_location_id, gp_agb, practice_agb, date_of_care, $2, duration_class,
                payer, payer_scheme, $3, $4, 'open', patient_pseudonym, encrypted_bsn, bsn_data_key_id, id, $5, $7
           FROM declaration_lines WHERE id = $6`,
        [id, code, tariff.amountCents, tariff.version, principal.id, lineId, batchId],
      );
      await this.audit.record(manager, actorOf(principal), [
        { event: 'declaration-line.corrected', action: 'update', subjectKind: 'patient', subjectReference: line.patient_pseudonym, resourceId: id },
      ]);
      return { correctionId: id, correctsLineId: lineId, performanceCode: code, amountCents: tariff.amountCents };
    });
  }

  @ApiOperation({ summary: 'Reconciliation: every consultation in the period is in exactly one line that is open, batched, accepted or rejected (and corrected)' })
  @Get('reconciliation')
  @Access('declaration-lines', 'reconcile')
  async reconciliation(@Query('from') from: string, @Query('to') to: string) {
    if (!isCalendarDate(from) || !isCalendarDate(to) || to < from) {
      throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'to', messages: ['from and to must be calendar dates, to not before from'] }] });
    }
    // Follow each consultation's original line through its corrections to the line that counts now.
    const rows: Array<{ state: string; consultations: number; amount_cents: string }> = await this.db.query(
      `WITH RECURSIVE chain AS (
         SELECT id, consultation_id, amount_cents, 0 AS depth FROM declaration_lines WHERE corrects_line_id IS NULL AND date_of_care BETWEEN $1 AND $2
         UNION ALL
         SELECT l.id, l.consultation_id, l.amount_cents, c.depth + 1 FROM declaration_lines l JOIN chain c ON l.corrects_line_id = c.id
       ), last AS (
         SELECT DISTINCT ON (consultation_id) id, consultation_id, amount_cents, depth FROM chain ORDER BY consultation_id, depth DESC
       ), current AS (
         SELECT c.consultation_id, ${lineStateSql('l', 'b')} AS status, c.amount_cents, c.depth
           FROM last c JOIN declaration_lines l ON l.id = c.id LEFT JOIN declaration_batches b ON b.id = l.batch_id
       )
       SELECT CASE WHEN depth > 0 AND status <> 'rejected' THEN status || ' (corrected)' ELSE status END AS state,
              count(*)::int AS consultations, coalesce(sum(amount_cents), 0)::bigint AS amount_cents
         FROM current GROUP BY 1 ORDER BY 1`,
      [from, to],
    );
    const [{ consultations, lines }] = await this.db.query(
      `SELECT count(DISTINCT consultation_id)::int AS consultations, count(*)::int AS lines FROM declaration_lines WHERE date_of_care BETWEEN $1 AND $2`,
      [from, to],
    );
    const accounted = rows.reduce((n, r) => n + r.consultations, 0);
    return {
      from,
      to,
      consultations,
      lines,
      byState: rows.map((r) => ({ state: r.state, consultations: r.consultations, amountCents: Number(r.amount_cents) })),
      reconciles: accounted === consultations,
    };
  }
}
