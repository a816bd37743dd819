import { BadRequestException, Body, Controller, Get, Headers, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { IsCalendarDate } from '@draaiboek/contracts';
import { actorOf, AuditLog, CopyTextRows, CurrentPrincipal, Principal, Access } from '@draaiboek/platform';
import { DataKeysOfBatch, LINE_BSN_COLUMNS } from '../bsn-keys/bsn-data-keys';
import { BsnKeys } from '../bsn-keys/bsn-keys';
import { batchSet } from './batch-patient-sets';
import { BatchService, LINE_ORDER } from './batch.service';
import { lineStateSql } from './open-batches';

export class CloseBatchesRequestDto {
  @IsOptional() @IsIn(['CAK', 'RMO', 'CAK-OVV']) payer?: string;
  /** Close complete periods (weeks, or months with BATCH_PERIOD=month) up to this date (inclusive); yesterday when absent. */
  @IsOptional() @IsCalendarDate() until?: string;
}

class RejectedLineDto {
  @IsUUID() lineId!: string;
  @IsString() @Length(1, 500) reason!: string;
}

export class OutcomeRequestDto {
  @IsArray() @ArrayMaxSize(100000) @IsUUID('all', { each: true }) accepted!: string[];
  @IsArray() @ArrayMaxSize(100000) @ValidateNested({ each: true }) @Type(() => RejectedLineDto) rejected!: RejectedLineDto[];
}

const EXPORT_COLUMNS = ['line_id', 'consultation_id', 'date_of_care', 'performance_code', 'amount_cents', 'payer', 'gp_agb', 'practice_agb', 'patient_pseudonym', 'bsn'] as const;

/**
 * Each exported line up to its BSN, formatted by Postgres: the fields of EXPORT_COLUMNS but the
 * last, every one NOT NULL and of a format without separators or quotes (uuids, digits, codes,
 * hex). The service adds the decrypted BSN and the end of the line.
 */
const EXPORT_HEAD = {
  csv: `concat_ws(',', l.id, l.consultation_id, to_char(l.date_of_care, 'YYYY-MM-DD'), l.performance_code, l.amount_cents, l.payer, l.gp_agb, l.practice_agb, l.patient_pseudonym)`,
  json: `concat('{"line_id":', to_json(l.id), ',"consultation_id":', to_json(l.consultation_id), ',"date_of_care":', to_json(to_char(l.date_of_care, 'YYYY-MM-DD')),
                ',"performance_code":', to_json(l.performance_code), ',"amount_cents":', l.amount_cents, ',"payer":', to_json(l.payer),
                ',"gp_agb":', to_json(l.gp_agb), ',"practice_agb":', to_json(l.practice_agb), ',"patient_pseudonym":', to_json(l.patient_pseudonym))`,
} as const;

/**
 * The planner's setting for an export's query, in its own read-only transaction: a batch's lines
 * come in LINE_ORDER straight from their index (decision 0041), so the first row leaves at once.
 * Left to itself, Postgres may rather collect the batch by a bitmap scan and sort it all first.
 */
export const EXPORT_IN_INDEX_ORDER = 'SET LOCAL enable_sort = off';

@ApiBearerAuth()
@Controller('v1/batches')
export class BatchesHttpController {
  constructor(
    private readonly batches: BatchService,
    private readonly db: DataSource,
    private readonly audit: AuditLog,
    private readonly keys: BsnKeys,
  ) {}

  @ApiOperation({ summary: 'Close the batches of complete weeks by hand (they also close on schedule); DeclarationBatchReady for each' })
  @Post('close')
  @Access('batches', 'close')
  @HttpCode(200)
  close(@Body() body: CloseBatchesRequestDto, @CurrentPrincipal() principal: Principal) {
    return this.batches.close(principal, body);
  }

  @ApiOperation({ summary: 'Closed batches with their totals and checksums (the coordination sees their state, never lines)' })
  @Get()
  @Access('batches', 'read')
  async list() {
    const rows = await this.db.query(
      `SELECT id, payer, to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end, line_count, total_cents, checksum, closed_at, outcome_at
         FROM declaration_batches WHERE closed_at IS NOT NULL ORDER BY period_start, payer`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      batchId: r.id,
      payer: r.payer,
      periodStart: r.period_start,
      periodEnd: r.period_end,
      lineCount: r.line_count,
      totalCents: Number(r.total_cents),
      checksum: r.checksum,
      closedAt: r.closed_at,
      outcomeAt: r.outcome_at,
    }));
  }

  @ApiOperation({ summary: "A batch's lines for finance's review: code, amount, state and rejection reason, without the BSN" })
  @Get(':batchId/lines')
  @Access('batches', 'lines')
  async lines(@Param('batchId', new ParseUUIDPipe()) batchId: string) {
    const [batch] = await this.db.query('SELECT id FROM declaration_batches WHERE id = $1 AND closed_at IS NOT NULL', [batchId]);
    if (!batch) throw new NotFoundException({ error: 'unknown_batch', message: `No batch ${batchId}` });
    const rows = await this.db.query(
      `SELECT l.id, l.consultation_id, to_char(l.date_of_care, 'YYYY-MM-DD') AS date_of_care, l.performance_code, l.amount_cents,
              ${lineStateSql('l', 'b')} AS status, l.rejection_reason, l.gp_agb, l.practice_agb
         FROM declaration_lines l JOIN declaration_batches b ON b.id = l.batch_id WHERE l.batch_id = $1 ORDER BY ${LINE_ORDER} LIMIT 10000`,
      [batchId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      lineId: r.id,
      consultationId: r.consultation_id,
      dateOfCare: r.date_of_care,
      performanceCode: r.performance_code,
      amountCents: Number(r.amount_cents),
      status: r.status,
      rejectionReason: r.rejection_reason ?? null,
      gpAgb: r.gp_agb,
      practiceAgb: r.practice_agb,
    }));
  }

  @ApiOperation({ summary: 'Export a batch as CSV or JSON (format=csv|json, or the Accept header), streamed in constant memory' })
  @Get(':batchId/export')
  @Access('batches', 'export')
  async export(
    @Param('batchId', new ParseUUIDPipe()) batchId: string,
    @Res() res: Response,
    @Query('format') format?: string,
    @Headers('accept') accept?: string,
    @CurrentPrincipal() principal?: Principal,
  ): Promise<void> {
    const chosen = format ?? (accept?.includes('application/json') ? 'json' : 'csv');
    if (!['csv', 'json'].includes(chosen)) throw new BadRequestException({ error: 'validation_failed', fields: [{ field: 'format', messages: ['format must be csv or json'] }] });
    const [batch]: Array<{ id: string; checksum: string; line_count: number }> = await this.db.query(
      'SELECT id::text, checksum, line_count FROM declaration_batches WHERE id = $1 AND closed_at IS NOT NULL',
      [batchId],
    );
    if (!batch) throw new NotFoundException({ error: 'unknown_batch', message: `No batch ${batchId}` });
    const keys = await DataKeysOfBatch.load(this.db, batchId);
    if (keys.holdBsns && !this.keys.available) {
      throw new ServiceUnavailableException({ error: 'declarations_key_missing', message: 'This batch holds BSNs and the declarations private key is not configured' });
    }
    // Logged (and committed) before the first line leaves: one entry for every patient of the
    // batch, which is closed and so cannot change (decision 0034).
    await this.audit.recordForSet(undefined, actorOf(principal as Principal), {
      event: 'declaration-batch.exported',
      action: 'export',
      set: batchSet(batchId),
      resourceId: batchId,
    });
    const kind = chosen as keyof typeof EXPORT_HEAD;
    const pool = (this.db.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    // A copy stopped half way leaves its connection mid-COPY, and any other failure may leave it
    // in its transaction: unless the export committed, the connection is closed, not reused.
    let committed = false;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(EXPORT_IN_INDEX_ORDER);
      // COPY takes no parameters: the id is the batch's own, as Postgres spelled it, and quoted.
      const stream = client.query(
        copyTo(`COPY (SELECT ${EXPORT_HEAD[kind]} AS head, ${LINE_BSN_COLUMNS}
                        FROM declaration_lines l WHERE l.batch_id = ${client.escapeLiteral(batch.id)}::uuid ORDER BY ${LINE_ORDER}) TO STDOUT`),
      );
      res.status(200);
      res.setHeader('content-type', kind === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="batch-${batchId}.${kind}"`);
      res.setHeader('x-batch-checksum', batch.checksum);
      // Postgres writes the rows as text (COPY, decision 0038) and goes on while these are
      // formatted; they are written on in pieces of about 64 KiB, not one socket write (and HTTP
      // chunk) per row.
      await new Promise<void>((resolve, reject) => {
        let pending = kind === 'csv' ? EXPORT_COLUMNS.join(',') + '\n' : '[';
        let first = true;
        // A row's fields: the line up to its BSN (formatted by Postgres), then LINE_BSN_COLUMNS from field 1.
        const rows = new CopyTextRows((fields) => {
          const encrypted = keys.valueOf(fields, 1);
          const bsn = encrypted ? this.keys.decrypt(encrypted) : '';
          if (kind === 'csv') pending += `${fields[0]},${bsn}\n`;
          else pending += `${first ? '' : ','}${fields[0]},"bsn":${JSON.stringify(bsn)}}`;
          first = false;
        });
        const fail = (error: Error) => {
          stream.destroy();
          reject(error);
        };
        stream.on('data', (chunk: Buffer) => {
          try {
            rows.push(chunk);
          } catch (error) {
            return fail(error as Error);
          }
          if (pending.length < 65536) return;
          const piece = pending;
          pending = '';
          // Backpressure: no more rows until the socket drains, so memory stays flat however large the batch.
          if (!res.write(piece)) {
            stream.pause();
            res.once('drain', () => stream.resume());
          }
        });
        stream.once('end', () => {
          try {
            rows.end();
            // A closed batch cannot change: an export of another number of lines than it holds is
            // not finished, so that the client sees a broken download instead of a short file.
            // (COPY's own count is not used: its CommandComplete may not have arrived yet.)
            if (rows.count !== batch.line_count) {
              throw new Error(`export of batch ${batch.id} read ${rows.count} rows for its ${batch.line_count} lines`);
            }
          } catch (error) {
            return fail(error as Error);
          }
          client.query('COMMIT').then(() => {
            committed = true;
            res.end(kind === 'json' ? pending + ']' : pending);
            resolve();
          }, fail);
        });
        stream.once('error', fail);
        // A client that goes away mid-export: stop reading; the connection, not committed, is closed.
        res.once('close', () => {
          if (res.writableFinished) return;
          stream.destroy();
          resolve();
        });
      });
    } finally {
      client.release(!committed);
    }
  }

  @ApiOperation({ summary: "Finance's outcome: every line accepted or rejected with a reason, once per batch" })
  @Post(':batchId/outcome')
  @Access('batches', 'outcome')
  @HttpCode(200)
  outcome(@Param('batchId', new ParseUUIDPipe()) batchId: string, @Body() body: OutcomeRequestDto, @CurrentPrincipal() principal: Principal) {
    return this.batches.outcome(batchId, body.accepted, body.rejected, principal);
  }
}
